"""Rate limits under ``make run``: each local client is its own bucket, and the limits are roomy."""
from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from layers.core.settings import Settings


def _status_from(source: str, live_server: str, path: str) -> int:
    # The client socket is bound to ``source``: the server sees that address as its TCP peer.
    address = urlsplit(live_server)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10, source_address=(source, 0))
    try:
        connection.request("GET", path)
        reply = connection.getresponse()
        reply.read()
        return reply.status
    finally:
        connection.close()


def test_two_loopback_clients_have_their_own_anonymous_buckets(live_server, settings_env):
    settings_env(RATE_LIMIT_ANON="2/hour")
    path = "/api/posts"
    assert [_status_from("127.0.0.2", live_server, path) for _ in range(3)] == [200, 200, 429]
    assert _status_from("127.0.0.1", live_server, path) == 200  # another peer, another bucket


def test_a_forwarded_for_header_does_not_choose_the_bucket(live_server, settings_env):
    settings_env(RATE_LIMIT_ANON="1/hour")
    address = urlsplit(live_server)
    statuses = []
    for forged in ("203.0.113.1", "203.0.113.2"):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10,
                                                source_address=("127.0.0.3", 0))
        connection.request("GET", "/api/posts", headers={"X-Forwarded-For": forged})
        reply = connection.getresponse()
        reply.read()
        connection.close()
        statuses.append(reply.status)
    assert statuses == [200, 429]


def test_make_run_defaults_to_ten_times_the_production_limits_and_keeps_the_developers():
    from infra.local.limits import apply_local_defaults, describe

    environ = {"RATE_LIMIT_AUTH": "3/minute"}
    in_force = apply_local_defaults(environ)
    assert in_force == {"RATE_LIMIT_ANON": "1000/hour", "RATE_LIMIT_USER": "5000/hour",
                        "RATE_LIMIT_AUTH": "3/minute", "RATE_LIMIT_RAG": "200/minute",
                        "RATE_LIMIT_CODE": "100/minute"}
    assert environ == in_force
    line = describe(in_force, {"RATE_LIMIT_AUTH"})
    assert "anon 1000/hour" in line and "auth 3/minute (set)" in line and "\n" not in line
    # Production's defaults are unchanged.
    production = Settings.model_fields
    assert (production["rate_limit_anon"].default, production["rate_limit_auth"].default) == ("100/hour", "10/minute")
