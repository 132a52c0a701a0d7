"""SnapStart (layers/snapstart.py): a restored process opens fresh connections and reseeds, the
hooks reach Lambda's runtime hooks module when there is one, and a SnapStart init loads the model."""
from __future__ import annotations

import random
import sys
import types

import pytest


def _backend_pid() -> int:
    from layers.core import db

    with db.connection() as conn:
        return int(conn.execute("SELECT pg_backend_pid() AS pid").fetchone()["pid"])


def test_a_restored_process_opens_fresh_connections_and_reseeds():
    from layers import bootstrap, snapstart
    from layers.core import aws, cache, db

    snapstart.prepare()
    before_pid = _backend_pid()
    pool = db.get_pool()
    redis_client = cache.get_redis()
    redis_id = redis_client.client_id()
    sqs = aws.client("sqs")
    clock = bootstrap.provide("clock")
    mailer = bootstrap.provide("mailer")
    random.seed(42)
    snapshot_state = random.getstate()

    snapstart.run_after_restore()  # what Lambda runs in every environment restored from the snapshot

    assert pool.closed, "the pool opened before the snapshot is closed, not reused"
    assert db.get_pool() is not pool
    assert _backend_pid() != before_pid, "a new PostgreSQL connection"
    assert cache.get_redis() is not redis_client
    assert cache.get_redis().client_id() != redis_id, "a new Redis connection"
    assert aws.client("sqs") is not sqs
    assert bootstrap.provide("mailer") is not mailer, "providers built on clients are built again"
    assert bootstrap.provide("clock") is clock, "what holds no socket is kept"
    assert random.getstate() != snapshot_state, "each restored copy draws its own random sequence"


def test_hooks_are_registered_with_the_runtime_hooks_module_where_it_exists(monkeypatch):
    from layers import snapstart

    registered = []
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_after_restore = registered.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)
    monkeypatch.setattr(snapstart, "_after_restore", [])

    def hook() -> None:
        pass

    snapstart.register_after_restore(hook)
    snapstart.register_after_restore(hook)
    assert registered == [hook], "registered once, with the runtime"


@pytest.mark.parametrize("initialization", ["snap-start", "on-demand"])
def test_a_snapstart_init_loads_the_model_before_the_snapshot(monkeypatch, initialization):
    from layers import bootstrap, snapstart
    from layers.adapters import minilm
    from layers.core.settings import reset_settings

    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", initialization)
    monkeypatch.setenv("EMBEDDINGS_PROVIDER", "local")
    reset_settings()
    bootstrap.reset()
    minilm._load.cache_clear()
    snapstart.prepare()
    loaded = minilm._load.cache_info().currsize == 1
    assert loaded == (initialization == "snap-start")
    if loaded:
        embeddings = bootstrap.provide("embeddings")
        snapstart.run_after_restore()
        assert bootstrap.provide("embeddings") is embeddings, "the loaded model survives the restore"
