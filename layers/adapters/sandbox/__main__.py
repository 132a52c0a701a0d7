"""Compile the interpreter ahead of use: ``python -m layers.adapters.sandbox [DIR]``.

Without ``DIR``, for this machine into the cache (``make install`` does this, so no first run
waits for it); with ``DIR``, the portable x86_64 module for Lambda (the package step).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from layers.adapters.sandbox import runtime


def main(argv: list[str]) -> None:
    if argv:
        print(runtime.compile_to(Path(argv[0]), runtime.LAMBDA_TARGET))
        return
    cache = Path(os.environ.get("CODE_CACHE_DIR") or runtime.default_cache_dir())
    runtime.load_module(runtime.engine(), cache)
    print(cache / runtime.file_name())


if __name__ == "__main__":
    main(sys.argv[1:])
