"""Cross-cutting HTTP behaviour: request ids, headers, error mapping, rate limits, CORS, health."""
from __future__ import annotations

import pytest


def test_request_id_is_echoed_or_generated(api):
    assert api.get("/api/health", headers={"X-Request-ID": "abc-123"}).header("X-Request-ID") == "abc-123"
    generated = api.get("/api/health").header("X-Request-ID")
    assert generated and len(generated) == 32
    # A request id that could forge log lines is replaced.
    assert api.get("/api/health", headers={"X-Request-ID": "bad\nid"}).header("X-Request-ID") != "bad\nid"


def test_error_responses_carry_request_id_and_security_headers(api):
    reply = api.get("/api/auth/me")
    assert reply.status == 401 and reply.header("X-Request-ID")
    assert reply.header("X-Content-Type-Options") == "nosniff"
    assert "max-age" in reply.header("Strict-Transport-Security")
    assert reply.header("Referrer-Policy")
    assert "frame-ancestors 'none'" in reply.header("Content-Security-Policy")


def test_unexpected_errors_are_a_bare_500_and_logged_with_the_request_id(api, monkeypatch, caplog):
    from layers.services import users

    def explode(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(users, "self_view", explode)
    reply = api.post("/api/auth/register", {"email": "x@example.com", "password": "long enough pw", "name": "X"},
                     headers={"X-Request-ID": "req-500"})
    assert reply.status == 500
    assert reply.json == {"detail": "Internal Server Error"}
    assert "secret internals" not in reply.text
    records = [r for r in caplog.records if r.name == "http.errors"]
    assert records and records[-1].exc_info


def test_rate_limit_answers_429_with_retry_after(api, settings_env):
    settings_env(RATE_LIMIT_AUTH="3/minute")
    body = {"email": "nobody@example.com", "password": "whatever"}
    statuses = [api.post("/api/auth/login", body).status for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    limited = api.post("/api/auth/login", body)
    assert limited.status == 429 and 1 <= int(limited.header("Retry-After")) <= 60
    assert "rate limit" in limited.json["detail"]


def test_rate_limits_are_per_route_group(api, settings_env):
    settings_env(RATE_LIMIT_AUTH="1/minute")
    api.post("/api/auth/login", {"email": "a@example.com", "password": "x"})
    assert api.post("/api/auth/login", {"email": "a@example.com", "password": "x"}).status == 429
    assert api.get("/api/settings").status == 401  # another group still answers normally


def test_signed_in_callers_are_counted_per_user(api, users, settings_env):
    alice, bob = users.create(), users.create()
    settings_env(RATE_LIMIT_USER="2/minute")
    assert [api.get("/api/settings", token=alice.token).status for _ in range(3)] == [200, 200, 429]
    assert api.get("/api/settings", token=bob.token).status == 200


def test_rate_limiting_fails_open_when_redis_is_down(api, settings_env):
    settings_env(REDIS_URL="redis://127.0.0.1:1/0", RATE_LIMIT_AUTH="1/minute")
    for _ in range(3):
        assert api.post("/api/auth/login", {"email": "a@example.com", "password": "x"}).status == 401
    health = api.get("/api/health")
    assert health.status == 200
    assert health.json["status"] == "degraded"
    assert health.json["redis"] == "down" and health.json["rate_limiter"] == "failing_open"


def test_health_is_degraded_when_the_queue_is_down(api, settings_env):
    settings_env(TASKS_QUEUE_NAME="no-such-queue")
    health = api.get("/api/health")
    assert health.status == 200 and health.json["status"] == "degraded" and health.json["queue"] == "down"


def test_health_is_503_when_the_database_is_down(api, monkeypatch):
    from layers.core import db

    monkeypatch.setattr(db, "ping", lambda: False)
    health = api.get("/api/health")
    assert health.status == 503 and health.json["status"] == "down" and health.json["detail"]


def test_cors_preflight_allows_the_frontend_origin(live_server):
    import urllib.request

    request = urllib.request.Request(live_server + "/api/auth/login", method="OPTIONS", headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"})
    with urllib.request.urlopen(request, timeout=5) as reply:
        assert reply.status == 200
        assert reply.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
        assert "POST" in reply.headers["Access-Control-Allow-Methods"]


def test_the_local_server_serves_the_api_over_real_http(live_server):
    import json
    import urllib.request

    with urllib.request.urlopen(live_server + "/api/health", timeout=5) as reply:
        assert reply.status == 200 and json.load(reply)["database"] == "ok"
        assert reply.headers["X-Request-ID"]


@pytest.mark.parametrize("path", ["/api/settings", "/api/auth/me"])
def test_bad_path_and_query_types_give_422_not_500(api, path):
    assert api.get(path + "?page=abc").status in (401, 422)


def test_unknown_paths_are_404_in_the_detail_shape(live_server):
    import json
    import urllib.error
    import urllib.request

    try:
        urllib.request.urlopen(live_server + "/api/no-such-thing", timeout=5)
    except urllib.error.HTTPError as err:
        assert err.code == 404 and json.load(err) == {"detail": "Not Found"}
    else:
        raise AssertionError("an unknown path answered 2xx")


def test_the_template_maps_gateway_errors_to_the_detail_shape(app):
    import json

    from infra.build import template
    from layers.http.routing import ROUTES

    config = {"stages": {"dev": {"environment_variables": {"TASKS_QUEUE_NAME": "q", "TASKS_DLQ_NAME": "d"}}}}
    merged = template.build(app, ROUTES, config, "dev")
    responses = merged["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]
    missing = responses["MISSING_AUTHENTICATION_TOKEN"]
    assert missing["StatusCode"] == 404
    assert json.loads(missing["ResponseTemplates"]["application/json"]) == {"detail": "Not Found"}
