"""PostgreSQL unreachable: requests answer 503 with Retry-After quickly, health says so, and the
API recovers by itself when the database is back."""
from __future__ import annotations

import time
from urllib.parse import urlsplit, urlunsplit

import pytest


@pytest.fixture
def db_behind_proxy(stack, settings_env):
    from layers.core import db
    from tests.support.tcp_proxy import TcpProxy

    parts = urlsplit(stack["DATABASE_URL"])
    proxy = TcpProxy(parts.port)
    host = parts.netloc.rsplit("@", 1)
    netloc = (host[0] + "@" if len(host) == 2 else "") + f"127.0.0.1:{proxy.port}"
    db.close_pool()
    settings_env(DATABASE_URL=urlunsplit(parts._replace(netloc=netloc)), DB_CHECKOUT_TIMEOUT="1")
    yield proxy
    db.close_pool()
    proxy.close()


def test_an_outage_answers_503_with_retry_after_and_recovers_without_a_restart(api, db_behind_proxy):
    assert api.get("/api/posts").status == 200
    db_behind_proxy.cut()
    for _ in range(3):
        started = time.monotonic()
        reply = api.get("/api/posts")
        assert reply.status == 503, reply.text
        assert reply.json == {"detail": "the database is unavailable; try again shortly"}
        assert int(reply.header("Retry-After")) > 0
        assert time.monotonic() - started < 5  # bounded by the configured timeouts, not 30 s
    db_behind_proxy.restore()
    deadline = time.monotonic() + 15
    while api.get("/api/posts").status != 200:
        assert time.monotonic() < deadline, "the API did not recover after the database came back"
        time.sleep(0.2)


def test_writes_during_an_outage_answer_503_not_500(api, db_behind_proxy):
    db_behind_proxy.cut()
    reply = api.post("/api/auth/register", {"email": "x@example.com", "password": "long enough pw", "name": "X"})
    assert reply.status == 503 and "database" in reply.json["detail"]


def test_health_reports_the_database_down_promptly(api, db_behind_proxy):
    assert api.get("/api/health").json["database"] == "ok"
    db_behind_proxy.cut()
    started = time.monotonic()
    reply = api.get("/api/health")
    assert time.monotonic() - started < 3
    assert reply.status == 503 and reply.json["database"] == "down"
