"""The test session's own stack: its ports and its data folder, never another session's."""
from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from infra.local.ports import Ports
from infra.local.stack import Stack

ROOT = Path(__file__).resolve().parents[2]
# Unset: free ports picked at start. Set: pinned (a taken one is refused naming the variable).
PORT_VARIABLES = {"postgres": "TEST_PG_PORT", "redis": "TEST_REDIS_PORT", "aws": "TEST_AWS_PORT"}


def session_stack(root: Path, environ: Mapping[str, str] = os.environ) -> Stack:
    return Stack(root, ports=Ports.from_env(PORT_VARIABLES, environ=environ), durable=False)


def session_root(environ: Mapping[str, str] = os.environ) -> Path:
    """``.local/$TEST_STACK_DIR`` (kept), else ``.local/test-<pid>`` (removed by the session)."""
    if environ.get("TEST_STACK_DIR"):
        return ROOT / ".local" / environ["TEST_STACK_DIR"]
    # Folders of sessions that were killed before they could remove theirs.
    for stale in (ROOT / ".local").glob("test-*"):
        pid = stale.name.removeprefix("test-")
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    return ROOT / ".local" / f"test-{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
