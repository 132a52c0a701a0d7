"""The layers' locks: every distribution a layer carries, resolved for Lambda's platform.

    python -m infra.build.layers lock

pip resolves each layer's requirements (their pins from ``requirements.txt``) for cp313 on
manylinux x86_64 (``--dry-run --report``); what a layer declares ``unused`` is left out with what
only it requires; the ``core`` layer's distributions are left out of the others (every function
takes core). Distributions published as source only are built into pure-Python wheels first.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from infra.build.layers import (
    ABI,
    ARCHITECTURE,
    LAYERS,
    LOCKS,
    PLATFORMS,
    PYTHON_VERSION,
    ROOT,
    RUNTIME,
    lock_path,
    pinned_requirements,
)

# Pure-Python distributions published as source only: built into wheels here (refused unless the
# wheel is py3-none-any), then resolved and installed like the rest.
SOURCE_ONLY = ("feedgen",)
WHEELHOUSE = ROOT / "build" / "wheels"


def _wheelhouse() -> Path:
    pins = pinned_requirements()
    for name in SOURCE_ONLY:
        pin = pins[canonicalize_name(name)]
        version = str(pin.specifier).removeprefix("==")
        if not any(WHEELHOUSE.glob(f"{name}-{version}-*py3-none-any.whl")):
            subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
                            "--no-deps", "--no-binary", name, "-w", str(WHEELHOUSE), f"{name}=={version}"], check=True)
        if not any(WHEELHOUSE.glob(f"{name}-{version}-*py3-none-any.whl")):
            raise SystemExit(f"{name} {version} did not build a pure-Python wheel")
    return WHEELHOUSE


def platform_args() -> list[str]:
    args = ["--find-links", str(_wheelhouse()), "--only-binary=:all:", "--implementation", "cp",
            "--python-version", PYTHON_VERSION, "--abi", ABI]
    for platform in PLATFORMS:
        args += ["--platform", platform]
    return args


def _resolve(requirements: list[str], unused: Iterable[str] = ()) -> dict[str, str]:
    """What pip installs for ``requirements`` on Lambda's platform (canonical name -> version),
    less ``unused`` and whatever only they require."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "--dry-run", "--ignore-installed", "--target", str(Path(tmp) / "t"),
                        "--report", str(report), *platform_args(), *requirements], check=True)
        installed = json.loads(report.read_text())["install"]
    found = {canonicalize_name(i["metadata"]["name"]): i for i in installed}
    skip = {canonicalize_name(n) for n in unused}
    environment = {"python_version": PYTHON_VERSION, "python_full_version": f"{PYTHON_VERSION}.0",
                   "sys_platform": "linux", "platform_system": "Linux", "platform_machine": ARCHITECTURE,
                   "implementation_name": "cpython", "platform_python_implementation": "CPython", "os_name": "posix"}
    todo = [Requirement(r) for r in requirements]
    chosen: dict[str, str] = {}
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in chosen or name in skip or name not in found:
            continue
        item = found[name]
        chosen[name] = item["metadata"]["version"]
        extras = set(item.get("requested_extras") or ()) | {""}
        for line in item["metadata"].get("requires_dist") or ():
            dependency = Requirement(line)
            if dependency.marker is None or any(
                    dependency.marker.evaluate({**environment, "extra": extra}) for extra in extras):
                todo.append(dependency)
    return chosen


def write_locks() -> None:
    """Resolve every layer from the pins in requirements.txt and write its lock."""
    pins = pinned_requirements()
    LOCKS.mkdir(exist_ok=True)
    core: dict[str, str] = {}
    for layer in LAYERS.values():
        wanted = [str(pins[canonicalize_name(n)]) for n in layer.requirements if n not in layer.no_deps]
        constraints = [f"{n}=={v}" for n, v in core.items()]
        resolved: dict[str, str] = {}
        if layer.requirements:  # else a layer of data files alone: an empty lock
            resolved = _resolve([*wanted, *constraints], layer.unused)
            resolved = {n: v for n, v in resolved.items() if n not in core}
        for name in layer.no_deps:
            resolved[canonicalize_name(name)] = str(pins[canonicalize_name(name)].specifier).removeprefix("==")
        if layer.name == "core":
            core = {n: v for n, v in resolved.items() if n not in {canonicalize_name(d) for d in layer.no_deps}}
        header = (f"# The {layer.name} layer: {layer.description}.\n"
                  f"# Generated by `python -m infra.build.layers lock` from requirements.txt for {RUNTIME} on "
                  f"manylinux x86_64; installed with --no-deps.\n")
        lock_path(layer.name).write_text(header + "".join(f"{n}=={v}\n" for n, v in sorted(resolved.items())))
        print(f"{layer.name}: {len(resolved)} distributions", flush=True)
