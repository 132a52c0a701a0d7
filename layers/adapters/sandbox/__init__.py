"""Code execution adapters: ``WasmSandbox`` (CPython for WASI under wasmtime) and a fake.

Importing this package is cheap: wasmtime and the interpreter load on the first run.
"""
from __future__ import annotations

from pathlib import Path

from layers.adapters.sandbox.runner import Limits, WasmSandbox
from layers.adapters.sandbox.runtime import default_cache_dir
from layers.core.settings import Settings, get_settings


def limits_from(settings: Settings) -> Limits:
    return Limits(
        timeout_s=settings.code_timeout_seconds,
        memory_bytes=settings.code_memory_mb * 2**20,
        output_bytes=settings.code_output_bytes,
        scratch_bytes=settings.code_scratch_bytes,
        concurrency=settings.code_max_concurrent,
    )


def from_settings() -> WasmSandbox:
    settings = get_settings()
    cache = Path(settings.code_cache_dir) if settings.code_cache_dir else default_cache_dir()
    return WasmSandbox(limits_from(settings), cache)


__all__ = ["Limits", "WasmSandbox", "from_settings", "limits_from"]
