"""``make package``: build the deployable SAM template and code package.

    python -m infra.build.package [--stage dev] [--out build/package]

1. Stage a build directory: ``app.py``, ``.chalice/``, ``requirements.txt`` (without Chalice
   itself: Chalice puts its own runtime in the package) and ``vendor/`` holding ``functions/``,
   ``scheduled/`` and ``layers/``, which Chalice copies to the package root, so every import path
   is the same as in the repository.
2. Generate the merge template from the app's routes and event sources (``infra.build.template``).
3. ``chalice package --merge-template`` produces ``sam.json`` and one ``deployment.zip`` with
   every dependency, built for Lambda's platform.
4. Precompile ``.pyc`` into the zip (unchecked-hash, so Lambda's file times do not matter).
5. Cut one zip per function from it (``infra.build.split``: only what that function imports),
   point each function's ``CodeUri`` at its own, and drop the full zip.
6. ``cfn-lint`` the template (offline), then print each function's zipped and unzipped size and
   the time its handler takes to import from its package alone; write them to ``functions.json``.
"""
from __future__ import annotations

import argparse
import compileall
import fcntl
import json
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from infra.build import split, template

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_PACKAGES = ("functions", "scheduled", "layers")
BUILD_ENV = {"AWS_ACCESS_KEY_ID": "packaging", "AWS_SECRET_ACCESS_KEY": "packaging", "AWS_DEFAULT_REGION": "us-east-1"}


def stage_sources(stage_dir: Path) -> None:
    # Keep .chalice/deployments: Chalice caches the built dependencies there by requirements hash.
    cache = stage_dir / ".chalice" / "deployments"
    if stage_dir.exists():
        for child in stage_dir.iterdir():
            if child.name != ".chalice":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        for child in (stage_dir / ".chalice").glob("*"):
            if child != cache:
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    stage_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "app.py", stage_dir / "app.py")
    shutil.copytree(ROOT / ".chalice", stage_dir / ".chalice", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("deployments", "deployed"))
    requirements = [line for line in (ROOT / "requirements.txt").read_text().splitlines()
                    if not line.strip().lower().startswith("chalice")]
    (stage_dir / "requirements.txt").write_text("\n".join(requirements) + "\n")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in SHIPPED_PACKAGES:
        shutil.copytree(ROOT / package, stage_dir / "vendor" / package, ignore=ignore)
    stage_sandbox_module(stage_dir / "vendor")
    stage_embedding_tokenizer(stage_dir / "vendor")
    stage_docs_ui(stage_dir / "vendor")


def stage_sandbox_module(vendor: Path) -> None:
    """The code function's interpreter, compiled once for Lambda's x86_64 (cached under build/).

    Chalice copies ``vendor/`` to the package root, where ``layers.adapters.sandbox.runtime``
    looks for it; compiling it at a cold start instead would cost seconds of a first request.
    """
    from layers.adapters.sandbox import runtime

    cache = ROOT / "build" / "sandbox-module"
    compiled = cache / runtime.file_name()
    if not compiled.is_file():
        runtime.compile_to(cache, runtime.LAMBDA_TARGET)
    (vendor / runtime.PACKAGED_DIRNAME).mkdir()
    shutil.copy2(compiled, vendor / runtime.PACKAGED_DIRNAME / compiled.name)


def stage_embedding_tokenizer(vendor: Path) -> None:
    """The embedding model's tokenizer (``make install`` fetched and checked it) at the package root.

    Functions find it through ``EMBEDDING_TOKENIZER_PATH``, relative to Lambda's working
    directory (the package root), which the template sets.
    """
    from layers.adapters import minilm

    source = minilm.default_tokenizer_path()
    if source.is_file():
        target = vendor / template.TOKENIZER_PATH
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def stage_docs_ui(vendor: Path) -> None:
    """Swagger UI's files (``make install`` fetched and checked them) at the package root."""
    from layers.http import docs_page

    source = docs_page.installed_dir()
    if source.is_dir():
        shutil.copytree(source, vendor / docs_page.PACKAGED_DIRNAME)


def write_merge_template(path: Path, stage: str) -> dict[str, Any]:
    """Import the app as packaging sees it (no ROUTER) and derive the template from it."""
    os.environ.pop("ROUTER", None)
    sys.path.insert(0, str(ROOT))
    from app import app
    from layers.http.routing import ROUTES

    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    merge = template.build(app, ROUTES, config, stage)
    path.write_text(json.dumps(merge, indent=2))
    return merge


def chalice_package(stage_dir: Path, merge_template: Path, out_dir: Path, stage: str) -> None:
    if out_dir.exists():
        shutil.rmtree(out_dir)
    chalice = Path(sys.executable).with_name("chalice")
    subprocess.run([str(chalice), "package", "--stage", stage, "--merge-template", str(merge_template),
                    str(out_dir)], cwd=stage_dir, check=True, env={**os.environ, **BUILD_ENV})


def precompile(zip_path: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(tmp)
        compileall.compile_dir(tmp, quiet=1, workers=0,
                               invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        rebuilt = zip_path.with_suffix(".tmp")
        with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(Path(tmp).rglob("*")):
                if file.is_file():
                    info = zipfile.ZipInfo.from_file(file, file.relative_to(tmp).as_posix())
                    info.external_attr = (0o755 if os.access(file, os.X_OK) else 0o644) << 16
                    archive.writestr(info, file.read_bytes(), zipfile.ZIP_DEFLATED)
        rebuilt.replace(zip_path)


def lint(template_path: Path) -> None:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    # W3005: Chalice emits DependsOn that is also implied by references; harmless.
    subprocess.run([str(cfn_lint), "--ignore-checks", "W3005", "--", str(template_path)], check=True)


def split_functions(out: Path, measure: bool = True) -> str:
    """Cut the per-function zips; with ``measure``, time each cold import and return the table."""
    template_path = out / "sam.json"
    template = json.loads(template_path.read_text())
    packages = split.split(out / "deployment.zip", template, out / "functions")
    template_path.write_text(json.dumps(template, indent=2))
    timings: dict[str, float] = {}
    if measure:
        with tempfile.TemporaryDirectory(dir=out) as tmp:
            with zipfile.ZipFile(out / "deployment.zip") as archive:
                archive.extractall(Path(tmp) / "full")
            timings = {p.logical: split.cold_import_seconds(p, Path(tmp) / "full") for p in packages}
    (out / "deployment.zip").unlink()
    return report(out, packages, timings)


def report(out: Path, packages: list[split.FunctionPackage], timings: dict[str, float]) -> str:
    (out / "functions.json").write_text(json.dumps([
        {"function": p.logical, "router": p.router, "entries": list(p.entries), "code": p.path.name,
         "distributions": list(p.distributions), "missing": list(p.missing),
         "zipped_bytes": p.zipped, "unzipped_bytes": p.unzipped,
         "cold_import_seconds": round(timings[p.logical], 3) if p.logical in timings else None}
        for p in packages], indent=2))
    return split.table(packages, timings)


def build(stage: str = "dev", out: Path = ROOT / "build" / "package", measure: bool = True) -> Path:
    with _build_lock():
        stage_dir = ROOT / "build" / "stage"
        stage_sources(stage_dir)
        merge_path = ROOT / "build" / "merge-template.json"
        write_merge_template(merge_path, stage)
        chalice_package(stage_dir, merge_path, out, stage)
        precompile(out / "deployment.zip")
        summary = split_functions(out, measure)
        lint(out / "sam.json")
    print(summary, flush=True)
    return out


@contextmanager
def _build_lock() -> Iterator[None]:
    # The stage directory (where Chalice caches the built dependencies), the merge template and
    # the sandbox module's cache under build/ are shared by every build in this checkout: two
    # test runs at once take turns instead of overwriting each other's files.
    (ROOT / "build").mkdir(exist_ok=True)
    with open(ROOT / "build" / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="dev", choices=["dev", "prod"])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "package")
    args = parser.parse_args()
    out = build(args.stage, args.out)
    print(f"packaged: {out / 'sam.json'} and one zip per function in {out / 'functions'} (cfn-lint passed)")


if __name__ == "__main__":
    main()
