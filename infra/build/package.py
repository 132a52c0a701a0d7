"""``make package``: build the deployable SAM template, the code zip and the dependency layers.

    python -m infra.build.package [--stage dev] [--out build/package] [--no-measure]

1. Stage a build directory for Chalice: ``app.py``, ``.chalice/``, an empty ``requirements.txt``
   (dependencies ship in layers, not in Chalice's zip) and ``vendor/`` holding ``functions/``,
   ``scheduled/`` and ``layers/``, so that Chalice can import the app as it is in the repository.
2. Generate the merge template from the app's routes and event sources (``infra.build.template``)
   and run ``chalice package --merge-template``: Chalice stays the source of the routes, the API
   and the event sources (its zip is dropped).
3. Zip the project's code once (``code.zip``: ``app.py``, ``functions/``, ``scheduled/``,
   ``layers/``, precompiled ``.pyc``), with fixed member times, so unchanged code gives the same
   bytes and is not uploaded again.
4. Build or reuse the dependency layers (``infra.build.layers``: the third-party packages, and
   data files such as Swagger UI's for the one function that serves ``/api/docs``), add them to
   the template and give every function the code zip and its layers; the functions that load the
   embedding model or the sandbox get SnapStart and a published alias
   (``infra.build.template.SNAPSTART_LAYERS``).
5. ``cfn-lint`` the template (offline), then print and write (``functions.json``) each function's
   code and layers, the upload of a full deploy and of a code-only redeploy, each function's cold
   import from its code and layers alone, and the build folder's size.

The stage directory, the merge template and the sandbox module's cache under ``build/`` are shared
by every build in the checkout: a build holds ``build/.lock`` while it uses them, so two builds at
once take turns. Each build writes its package to its own ``out`` folder (a deployment passes its
own), so one build cannot replace the package another is uploading.
"""
from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from infra.build import layers, measure, template

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_PACKAGES = ("functions", "scheduled", "layers")
BUILD_ENV = {"AWS_ACCESS_KEY_ID": "packaging", "AWS_SECRET_ACCESS_KEY": "packaging", "AWS_DEFAULT_REGION": "us-east-1"}
CODE_ZIP = "code.zip"


def stage_sources(stage_dir: Path) -> None:
    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    stage_dir.mkdir(parents=True)
    shutil.copy2(ROOT / "app.py", stage_dir / "app.py")
    shutil.copytree(ROOT / ".chalice", stage_dir / ".chalice",
                    ignore=shutil.ignore_patterns("deployments", "deployed"))
    (stage_dir / "requirements.txt").write_text("")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in SHIPPED_PACKAGES:
        shutil.copytree(ROOT / package, stage_dir / "vendor" / package, ignore=ignore)


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
    (out_dir / "deployment.zip").unlink()


def write_code_zip(path: Path) -> None:
    """The project's code alone, precompiled, with fixed member times (same code, same bytes)."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy2(ROOT / "app.py", Path(tmp) / "app.py")
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        for package in SHIPPED_PACKAGES:
            shutil.copytree(ROOT / package, Path(tmp) / package, ignore=ignore)
        layers.precompile(Path(tmp), "/var/task")
        layers.write_zip(Path(tmp), path)


def function_name(resource: dict[str, Any]) -> str:
    """The router (``ROUTER``) or event source (the handler's function) a function runs."""
    props = resource["Properties"]
    if props["Handler"] == "app.app":
        return str(props["Environment"]["Variables"]["ROUTER"])
    return str(props["Handler"].rsplit(".", 1)[1])


def attach(sam: dict[str, Any], out: Path, built: dict[str, layers.BuiltLayer]) -> None:
    """Layer resources, and every function's code zip and layers (see infra.build.layers)."""
    resources = sam["Resources"]
    for name, layer in built.items():
        resources[template.layer_resource(name)] = template.layer_version(
            name, layer.hash, os.path.relpath(layer.zip_path, out), layers.LAYERS[name].description)
    for resource in resources.values():
        if resource["Type"] == "AWS::Serverless::Function":
            props = resource["Properties"]
            props["CodeUri"] = f"./{CODE_ZIP}"
            props["Layers"] = [{"Ref": template.layer_resource(n)} for n in layers.layers_of(function_name(resource))
                               if n in built]


def lint(template_path: Path) -> None:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    # W3005: Chalice emits DependsOn that is also implied by references; harmless.
    subprocess.run([str(cfn_lint), "--ignore-checks", "W3005", "--", str(template_path)], check=True)


def build(stage: str = "dev", out: Path = ROOT / "build" / "package", measure_imports: bool = True) -> Path:
    with _build_lock():
        stage_dir = ROOT / "build" / "stage"
        stage_sources(stage_dir)
        merge_path = ROOT / "build" / "merge-template.json"
        write_merge_template(merge_path, stage)
        chalice_package(stage_dir, merge_path, out, stage)
        write_code_zip(out / CODE_ZIP)
        built = {}
        for name in layers.LAYERS:
            if layers.is_empty(name):
                # The docs layer when `make install` found no npm: /api/docs then says so.
                print(f"{name} layer: nothing to carry, left out ({layers.LAYERS[name].description})", flush=True)
                continue
            built[name] = layers.build(name)
        sam_path = out / "sam.json"
        sam = json.loads(sam_path.read_text())
        attach(sam, out, built)
        sam_path.write_text(json.dumps(sam, indent=2))
        lint(sam_path)
        # Inside the lock too: the report reads the layer cache and sizes build/.
        print(measure.report(out, sam, built, measure_imports), flush=True)
    return out


@contextmanager
def _build_lock() -> Iterator[None]:
    # The stage directory (where Chalice stages the app), the merge template, the layer cache and
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
    parser.add_argument("--measure", action=argparse.BooleanOptionalAction, default=True,
                        help="time each function's cold import from its code and layers")
    args = parser.parse_args()
    out = build(args.stage, args.out, args.measure)
    print(f"packaged: {out / 'sam.json'}, {out / CODE_ZIP} and the layers it names (cfn-lint passed)")


if __name__ == "__main__":
    main()
