"""What ``make package`` reports: each function's code and layers, upload sizes, cold imports.

Written to ``functions.json`` beside the template and printed as a table:

* per function: its layers, code zip, unzipped size of code plus layers (Lambda's limit is
  250 MB), and the time its handler module takes to import in a fresh interpreter that sees only
  the code zip and its layers (``python -I -S``, the interpreter of the runtime);
* the upload of a first deploy (code zip and every layer) and of a code-only redeploy (the code
  zip: an unchanged layer zip is byte-identical, so ``aws cloudformation package`` finds it
  already uploaded);
* the size of the build folder (``build/``).
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from infra.build import layers

MB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class FunctionFigures:
    function: str             # logical id
    name: str                 # router or event source
    handler: str
    router: str | None
    layers: tuple[str, ...]
    code_zipped_bytes: int
    unzipped_bytes: int       # code plus layers
    cold_import_seconds: float | None


def import_script(module: str) -> str:
    return (f"import sys, time; t = time.perf_counter()\nimport {module}\n"
            "print(time.perf_counter() - t)")


def run_isolated(code_dir: Path, layer_dirs: list[Path], script: str, env: dict[str, str],
                 timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``script`` in ``python -I -S`` with only the code and the layers' ``python/`` importable,
    in that order, as Lambda orders ``/var/task`` and ``/opt/python``."""
    paths = [str(code_dir), *(str(d / "python") for d in layer_dirs)]
    prelude = f"import sys; sys.path[:0] = {paths!r}\n"
    return subprocess.run([sys.executable, "-I", "-S", "-c", prelude + script], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", **env}, cwd=code_dir, timeout=timeout)


def handler_env(resource: dict[str, Any]) -> dict[str, str]:
    router = resource["Properties"]["Environment"]["Variables"].get("ROUTER")
    return {"JWT_SECRET": "x" * 40, **({"ROUTER": router} if router else {})}


def handler_module(resource: dict[str, Any]) -> str:
    return str(resource["Properties"]["Handler"].rsplit(".", 1)[0])


def figures(out: Path, sam: dict[str, Any], built: dict[str, layers.BuiltLayer],
            measure_imports: bool) -> list[FunctionFigures]:
    from infra.build.package import CODE_ZIP, function_name

    code_zip = out / CODE_ZIP
    with zipfile.ZipFile(code_zip) as archive:
        code_unzipped = sum(i.file_size for i in archive.infolist())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        code_dir = Path(tmp)
        if measure_imports:
            with zipfile.ZipFile(code_zip) as archive:
                archive.extractall(code_dir)
        for logical, resource in sorted(sam["Resources"].items()):
            if resource["Type"] != "AWS::Serverless::Function":
                continue
            name = function_name(resource)
            taken = tuple(n for n in layers.layers_of(name) if n in built)
            seconds = None
            if measure_imports:
                result = run_isolated(code_dir, [built[n].directory for n in taken],
                                      import_script(handler_module(resource)), handler_env(resource))
                if result.returncode != 0:
                    raise RuntimeError(f"{logical} does not import from its code and layers: {result.stderr[-2000:]}")
                seconds = float(result.stdout.strip().splitlines()[-1])
            rows.append(FunctionFigures(
                logical, name, resource["Properties"]["Handler"],
                resource["Properties"]["Environment"]["Variables"].get("ROUTER"), taken,
                code_zip.stat().st_size, code_unzipped + sum(built[n].unzipped for n in taken), seconds))
    return rows


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def report(out: Path, sam: dict[str, Any], built: dict[str, layers.BuiltLayer], measure_imports: bool = True) -> str:
    from infra.build.package import CODE_ZIP

    rows = figures(out, sam, built, measure_imports)
    code = (out / CODE_ZIP).stat().st_size
    full = code + sum(layer.zipped for layer in built.values())
    summary = {"code_zip_bytes": code, "deploy_upload_bytes": full, "code_only_redeploy_upload_bytes": code,
               "build_folder_bytes": folder_size(ROOT / "build"),
               "layers": {n: {"hash": b.hash, "zip": b.zip_path.name, "zipped_bytes": b.zipped,
                              "unzipped_bytes": b.unzipped, "reused": b.reused} for n, b in built.items()},
               "functions": [asdict(r) for r in rows]}
    (out / "functions.json").write_text(json.dumps(summary, indent=2))
    lines = [f"{'layer':12} {'zipped MB':>10} {'unzipped MB':>12}  hash", *(
        f"{n:12} {b.zipped / MB:10.1f} {b.unzipped / MB:12.1f}  {b.hash}{' (reused)' if b.reused else ''}"
        for n, b in built.items()), "",
        f"{'function':30} {'code zip MB':>11} {'code+layers MB':>15} {'cold import s':>14}  layers"]
    for r in rows:
        timing = f"{r.cold_import_seconds:14.3f}" if r.cold_import_seconds is not None else f"{'-':>14}"
        lines.append(f"{r.function:30} {r.code_zipped_bytes / MB:11.2f} {r.unzipped_bytes / MB:15.1f} {timing}  "
                     f"{','.join(r.layers)}")
    lines += ["", f"upload of a deploy: {full / MB:.1f} MB (code zip {code / MB:.2f} MB, once for every function, "
                  f"and {len(built)} layers); of a code-only redeploy: {code / MB:.2f} MB; "
                  f"build folder: {summary['build_folder_bytes'] / MB:.0f} MB"]
    return "\n".join(lines)
