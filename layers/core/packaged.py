"""Files a Lambda layer carries: found under a ``sys.path`` entry (a layer's ``python/``).

Deployed, a layer's ``python/`` directory is on ``sys.path``; the model's tokenizer, the compiled
sandbox module and the docs' assets ship there. Locally none is, and callers fall back to the
copy the install step made.
"""
from __future__ import annotations

import sys
from pathlib import Path


def on_sys_path(relative: str | Path, *, directory: bool = False) -> Path | None:
    """The first ``<sys.path entry>/relative`` that exists (a directory when ``directory``)."""
    for entry in sys.path:
        if not entry:
            continue
        candidate = Path(entry) / relative
        if candidate.is_dir() if directory else candidate.is_file():
            return candidate
    return None
