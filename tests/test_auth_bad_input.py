"""Every auth endpoint answers 4xx, never 500, to hostile or malformed input."""
from __future__ import annotations

import json

import pytest

ENDPOINTS = [
    ("POST", "/api/auth/register"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/refresh"),
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/verify-email"),
    ("POST", "/api/auth/resend-verification"),
    ("GET", "/api/auth/me"),
    ("GET", "/api/auth/google/start"),
    ("GET", "/api/auth/google/callback"),
    ("GET", "/api/settings"),
    ("PATCH", "/api/settings"),
]

@pytest.fixture(autouse=True)
def google_configured(settings_env):
    """Configure Google sign-in so its endpoints parse their input instead of answering 503."""
    from tests.support.oidc import FakeOidcProvider

    provider = FakeOidcProvider().start()
    settings_env(**provider.settings())
    yield
    provider.stop()


BODIES = [
    b"",
    b"not json",
    b"{",
    b"[]",
    b"null",
    b"42",
    json.dumps({"email": 12, "password": ["x"], "name": {"a": 1}}).encode(),
    json.dumps({"email": "a@b.co"}).encode(),
    json.dumps({"email": "' OR 1=1 --@x.com", "password": "'; DROP TABLE users; --", "name": "Robert'); --"}).encode(),
    json.dumps({"email": "ü@exämple.com", "password": "p\u0000ssword!!", "name": "\u202e\u0000\ud800"}).encode(),
    json.dumps({"email": "x" * 400 + "@example.com", "password": "p" * 10_000, "name": "n" * 10_000}).encode(),
    json.dumps({"refresh_token": "x" * 5000, "token": None}).encode(),
    json.dumps({"theme": "neon", "digest_opt_in": "maybe", "unexpected": True}).encode(),
    b'{"name": "\\ud83d\\ude00 emoji \\ud800", "email": "e@example.com", "password": "\xf0\x9f\x99\x82\xf0\x9f\x99\x82"}',
    b'{"email": "\xff\xfe@example.com", "password": "x"}',
]


@pytest.mark.parametrize("method,path", ENDPOINTS)
@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
def test_bad_bodies_never_cause_a_server_error(api, method, path, body):
    reply = api.request(method, path, body=body)
    assert 200 <= reply.status < 500, (reply.status, reply.text)
    assert reply.status != 500


@pytest.mark.parametrize("query", ["code=%00&state=%ff", "code=" + "a" * 5000 + "&state=b", "state=' OR 1=1"])
def test_bad_callback_queries_are_4xx(api, query):
    assert 400 <= api.get(f"/api/auth/google/callback?{query}").status < 500


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Bearer a.b.c", "bearer \u00ff\u00fe", "Token abc",
                                    "Bearer " + "a" * 10_000])
def test_garbage_authorization_headers_are_401(api, header):
    assert api.get("/api/auth/me", headers={"Authorization": header}).status == 401


def test_validation_errors_use_fastapis_shape_without_echoing_input(api):
    reply = api.post("/api/auth/register", {"email": "not-an-email", "password": "pw-Xy7", "name": ""})
    assert reply.status == 422
    locs = {tuple(item["loc"]) for item in reply.json["detail"]}
    assert locs == {("body", "email"), ("body", "password"), ("body", "name")}
    assert all(set(item) == {"loc", "msg", "type"} for item in reply.json["detail"])
    assert "pw-Xy7" not in reply.text


def test_unknown_fields_are_rejected(api):
    reply = api.post("/api/auth/login", {"email": "a@example.com", "password": "x", "role": "admin"})
    assert reply.status == 422 and reply.json["detail"][0]["loc"] == ["body", "role"]


def test_oversized_body_is_413(api):
    reply = api.request("POST", "/api/auth/register", body=b"{" + b" " * 1_100_000 + b"}")
    assert reply.status == 413 and "too large" in reply.json["detail"]


def test_malformed_json_reports_the_body(api):
    reply = api.request("POST", "/api/auth/login", body=b'{"email": ')
    assert reply.status == 422 and reply.json["detail"][0]["type"] == "json_invalid"


def test_sql_metacharacters_are_data_not_code(api, stack):
    import psycopg

    name = "Robert'); DROP TABLE users; --"
    reply = api.post("/api/auth/register", {"email": "bobby@example.com", "password": "correct horse battery",
                                            "name": name})
    assert reply.status == 201 and reply.json["name"] == name
    with psycopg.connect(stack["DATABASE_URL"]) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 1
