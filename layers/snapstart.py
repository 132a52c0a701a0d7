"""SnapStart: what a function loads before its snapshot, and what it reopens after a restore.

The functions that load the embedding model or the code sandbox's compiled interpreter publish
versions with SnapStart (``infra/build/template.py``). Lambda runs their init once, snapshots the
memory, and starts every later environment from that snapshot. So:

* at init (``AWS_LAMBDA_INITIALIZATION_TYPE=snap-start``), ``prepare`` imports the heavy modules
  and loads the model and the compiled interpreter, so that no restored environment pays for them;
* after each restore, the hooks registered here reopen what a snapshot cannot keep: sockets opened
  before it are dead (the PostgreSQL pool, the Redis client, AWS clients and the providers built
  on them), and the ``random`` module's state would be the same in every restored copy.

The runtime's hooks module, ``snapshot_restore_py``, exists only in Lambda's runtime (and in the
emulator's environment), so it is imported guardedly; the hooks are kept here as well, so that
``run_after_restore`` can run them where there is no runtime (the tests).
"""
from __future__ import annotations

import importlib.util
import os
import random
from collections.abc import Callable

from layers.core.logging import get_logger

log = get_logger("snapstart")

Hook = Callable[[], None]
_after_restore: list[Hook] = []


def register_after_restore(hook: Hook) -> Hook:
    """Run ``hook`` after every restore from a snapshot (in registration order)."""
    if hook in _after_restore:
        return hook
    _after_restore.append(hook)
    try:
        from snapshot_restore_py import register_after_restore as register  # type: ignore[import-not-found]
    except ImportError:
        return hook  # no SnapStart runtime here: run_after_restore runs the hooks
    register(hook)
    return hook


def run_after_restore() -> None:
    """What the runtime does after a restore, for a process that has no runtime hooks."""
    for hook in _after_restore:
        hook()


# Providers whose in-process implementations hold no socket: what the snapshot loaded stays.
_IN_PROCESS = {"embeddings": ("MiniLmEmbeddings", "HashEmbeddings"), "sandbox": ("WasmSandbox",)}


def _holds_no_socket(name: str, instance: object) -> bool:
    return type(instance).__name__ in _IN_PROCESS.get(name, ()) or name == "clock"


def reopen_connections() -> None:
    """Drop every client holding a socket; each is built again, connected anew, on first use."""
    from layers import bootstrap
    from layers.core import aws, cache, db

    db.close_pool()
    cache.reset_redis()
    aws.reset_clients()
    bootstrap.forget(_holds_no_socket)  # providers built on sockets (payments, mail, hosted APIs)


def reseed() -> None:
    random.seed()  # from os.urandom: each restored copy gets its own sequence


def prepare() -> None:
    """Register the restore hooks; at a SnapStart init, also load what the snapshot should hold."""
    register_after_restore(reopen_connections)
    register_after_restore(reseed)
    if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "snap-start":
        preload()


def preload() -> None:
    """Import the modules requests need and load the model and the interpreter this function carries."""
    for module in ("psycopg", "psycopg_pool", "redis", "boto3", "botocore.session", "jwt"):
        importlib.import_module(module)
    from layers import bootstrap

    # Through the providers, so the instances requests get are the loaded ones.
    for name, needs in (("embeddings", "onnxruntime"), ("sandbox", "wasmtime")):
        if importlib.util.find_spec(needs) is not None:
            instance = bootstrap.provide(name)
            getattr(instance, "load", getattr(instance, "warm", lambda: None))()
    log.info("loaded before the snapshot")
