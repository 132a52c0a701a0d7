"""Google sign-in against a fake OpenID provider on loopback (real HTTP, real JWKS, real PKCE)."""
from __future__ import annotations

import urllib.parse

import pytest

from tests.support.oidc import FakeOidcProvider


@pytest.fixture
def provider(settings_env):
    fake = FakeOidcProvider().start()
    settings_env(**fake.settings())
    yield fake
    fake.stop()


def start(api):
    reply = api.get("/api/auth/google/start")
    assert reply.status == 200, reply.text
    return reply.json["authorization_url"]


def test_start_builds_a_pkce_authorization_url(api, provider):
    url = start(api)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert url.startswith(provider.base_url + "/authorize?")
    assert query["response_type"] == "code" and query["code_challenge_method"] == "S256"
    assert query["client_id"] == "test-client.apps.example.com"
    assert "openid" in query["scope"] and query["state"] and query["nonce"]


def test_state_lives_in_redis_for_ten_minutes(api, provider):
    from layers.core.cache import get_redis

    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(start(api)).query))
    ttl = get_redis().ttl("oauth-state:" + query["state"])
    assert 590 <= ttl <= 600


def test_callback_creates_a_verified_account_and_signs_in(api, provider):
    code, state = provider.authorize(start(api), email="New.Person@Example.com", name="New Person")
    reply = api.get(f"/api/auth/google/callback?code={code}&state={state}")
    assert reply.status == 200, reply.text
    me = api.get("/api/auth/me", token=reply.json["access_token"]).json
    assert me["email"] == "new.person@example.com" and me["email_verified"] is True and me["name"] == "New Person"


def test_callback_links_to_an_existing_account_by_email(api, provider, users):
    existing = users.create("g.user@example.com")
    code, state = provider.authorize(start(api))
    pair = api.get(f"/api/auth/google/callback?code={code}&state={state}").json
    assert api.get("/api/auth/me", token=pair["access_token"]).json["id"] == existing.id


def test_state_is_single_use(api, provider):
    code, state = provider.authorize(start(api))
    assert api.get(f"/api/auth/google/callback?code={code}&state={state}").status == 200
    code2, _ = provider.authorize(start(api))
    again = api.get(f"/api/auth/google/callback?code={code2}&state={state}")
    assert again.status == 400 and "state" in again.json["detail"]


def test_unknown_or_expired_state_is_rejected(api, provider):
    from layers.core.cache import get_redis

    assert api.get("/api/auth/google/callback?code=x&state=never-issued").status == 400
    code, state = provider.authorize(start(api))
    get_redis().delete("oauth-state:" + state)  # what the 10-minute TTL does
    assert api.get(f"/api/auth/google/callback?code={code}&state={state}").status == 400


def test_wrong_pkce_verifier_is_refused_by_the_provider(api, provider):
    code, state = provider.authorize(start(api))
    provider.grants[code].challenge = "tampered"
    reply = api.get(f"/api/auth/google/callback?code={code}&state={state}")
    assert reply.status == 400


@pytest.mark.parametrize("claims", [
    {"aud": "someone-else"},
    {"iss": "https://evil.example.com"},
    {"exp": 1_000_000_000, "iat": 999_999_000},
    {"nonce": "replayed"},
    {"email_verified": False},
])
def test_id_tokens_failing_verification_are_rejected(api, provider, claims):
    code, state = provider.authorize(start(api), **claims)
    reply = api.get(f"/api/auth/google/callback?code={code}&state={state}")
    assert reply.status == 400, reply.text


def test_id_token_signed_by_an_unknown_key_is_rejected(api, provider):
    from cryptography.hazmat.primitives.asymmetric import rsa

    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    original = provider.id_token
    provider.id_token = lambda claims, key=None: original(claims, key=other_key)
    code, state = provider.authorize(start(api))
    assert api.get(f"/api/auth/google/callback?code={code}&state={state}").status == 400


def test_missing_parameters_are_a_validation_error(api, provider):
    reply = api.get("/api/auth/google/callback?code=abc")
    assert reply.status == 422
    assert reply.json["detail"][0]["loc"] == ["query", "state"]


def test_not_configured_answers_503(api):
    reply = api.get("/api/auth/google/start")
    assert reply.status == 503 and "not configured" in reply.json["detail"]


def test_redis_down_makes_google_sign_in_unavailable_not_broken(api, provider, settings_env):
    settings_env(REDIS_URL="redis://127.0.0.1:1/0")
    assert api.get("/api/auth/google/start").status == 503
