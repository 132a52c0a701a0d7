"""Registration, login, refresh rotation, logout, email verification, /me."""
from __future__ import annotations

import re
import time

from tests.support.accounts import PASSWORD
from tests.support.aws import emails_to

USER_FIELDS = {"id", "email", "name", "role", "email_verified", "is_premium", "xp", "level", "streak", "created_at"}


def register(api, email="reader@example.com", **extra):
    return api.post("/api/auth/register", {"email": email, "password": PASSWORD, "name": "Reader", **extra})


def login(api, email="reader@example.com", password=PASSWORD):
    return api.post("/api/auth/login", {"email": email, "password": password})


def test_register_returns_the_user_without_secrets(api):
    reply = register(api, email="Reader@Example.com")
    assert reply.status == 201
    body = reply.json
    assert set(body) == USER_FIELDS
    assert body["email"] == "reader@example.com"
    assert body["role"] == "user" and body["email_verified"] is False and body["is_premium"] is False
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", body["created_at"])
    assert "password" not in reply.text


def test_register_twice_conflicts_case_insensitively(api):
    assert register(api).status == 201
    again = register(api, email="READER@example.com")
    assert again.status == 409
    assert again.json == {"detail": "an account with this email already exists"}


def test_admin_emails_get_the_admin_role_whose_powers_wait_for_verification(api, drain):
    assert register(api, email="admin@example.com").json["role"] == "admin"
    token = login(api, email="admin@example.com").json["access_token"]
    refused = api.get("/api/admin/users", token=token)
    assert refused.status == 403 and "verified" in refused.json["detail"]
    drain()
    assert api.post("/api/auth/verify-email", {"token": _verification_token("admin@example.com")}).status == 200
    assert api.get("/api/admin/users", token=token).status == 200


def test_login_answers_the_same_for_unknown_email_and_wrong_password(api):
    register(api)
    wrong = login(api, password="not the password")
    unknown = login(api, email="nobody@example.com")
    assert wrong.status == unknown.status == 401
    assert wrong.json == unknown.json
    assert wrong.header("WWW-Authenticate") == "Bearer"


def test_login_issues_a_token_pair_that_authenticates(api):
    register(api)
    pair = login(api).json
    assert pair["token_type"] == "bearer" and pair["expires_in"] == 900
    me = api.get("/api/auth/me", token=pair["access_token"])
    assert me.status == 200 and me.json["email"] == "reader@example.com"


def test_me_requires_a_valid_token(api):
    assert api.get("/api/auth/me").status == 401
    assert api.get("/api/auth/me", token="not-a-jwt").status == 401
    assert api.get("/api/auth/me", headers={"Authorization": "Basic abc"}).status == 401


def test_expired_access_token_is_rejected(api):
    from layers.core.settings import get_settings
    from layers.services.auth.tokens import issue_access_token

    user_id = register(api).json["id"]
    stale = issue_access_token(get_settings(), user_id, "user", now=time.time() - 3600)
    reply = api.get("/api/auth/me", token=stale)
    assert reply.status == 401 and reply.json == {"detail": "token expired"}


def test_token_signed_with_another_key_is_rejected(api):
    import jwt

    user_id = register(api).json["id"]
    forged = jwt.encode({"sub": str(user_id), "exp": int(time.time()) + 600, "iat": int(time.time()),
                         "jti": "x", "iss": "blog-api", "aud": "blog-frontend"}, "another-secret-" * 4, "HS256")
    assert api.get("/api/auth/me", token=forged).status == 401


def test_refresh_rotates_and_the_old_token_stops_working(api):
    register(api)
    first = login(api).json
    second = api.post("/api/auth/refresh", {"refresh_token": first["refresh_token"]})
    assert second.status == 200
    assert second.json["refresh_token"] != first["refresh_token"]
    reuse = api.post("/api/auth/refresh", {"refresh_token": first["refresh_token"]})
    assert reuse.status == 401


def test_reusing_a_spent_refresh_token_revokes_the_whole_family(api):
    register(api)
    first = login(api).json
    second = api.post("/api/auth/refresh", {"refresh_token": first["refresh_token"]}).json
    assert api.post("/api/auth/refresh", {"refresh_token": first["refresh_token"]}).status == 401
    # The legitimate holder's newer token was revoked with its family.
    assert api.post("/api/auth/refresh", {"refresh_token": second["refresh_token"]}).status == 401


def test_other_sign_ins_survive_a_family_revocation(api):
    register(api)
    device_a, device_b = login(api).json, login(api).json
    api.post("/api/auth/refresh", {"refresh_token": device_a["refresh_token"]})
    api.post("/api/auth/refresh", {"refresh_token": device_a["refresh_token"]})
    assert api.post("/api/auth/refresh", {"refresh_token": device_b["refresh_token"]}).status == 200


def test_unknown_refresh_token_is_rejected(api):
    assert api.post("/api/auth/refresh", {"refresh_token": "made-up"}).status == 401


def test_logout_revokes_the_refresh_token_and_the_access_token(api):
    register(api)
    pair = login(api).json
    out = api.post("/api/auth/logout", {"refresh_token": pair["refresh_token"]}, token=pair["access_token"])
    assert out.status == 204 and out.body == b""
    assert api.post("/api/auth/refresh", {"refresh_token": pair["refresh_token"]}).status == 401
    assert api.get("/api/auth/me", token=pair["access_token"]).status == 401


def test_logout_cannot_revoke_another_users_token(api, users):
    alice, bob = users.create(), users.create()
    api.post("/api/auth/logout", {"refresh_token": bob.refresh_token}, token=alice.token)
    assert api.post("/api/auth/refresh", {"refresh_token": bob.refresh_token}).status == 200


def test_logout_requires_authentication(api):
    assert api.post("/api/auth/logout", {"refresh_token": "x"}).status == 401


def _verification_token(address: str) -> str:
    mails = emails_to(address)
    assert mails, "no verification email was sent"
    match = re.search(r"token=([A-Za-z0-9_\-%]+)", mails[-1].part("plain"))
    assert match
    from urllib.parse import unquote

    return unquote(match.group(1))


def test_registration_emails_a_verification_link_that_verifies_once(api, drain):
    register(api)
    drain()
    mail = emails_to("reader@example.com")
    assert len(mail) == 1
    assert mail[0].subject == "Confirm your email address"
    assert "http://localhost:3000/verify-email?token=" in mail[0].part("html")
    token = _verification_token("reader@example.com")
    verified = api.post("/api/auth/verify-email", {"token": token})
    assert verified.status == 200 and verified.json["email_verified"] is True
    again = api.post("/api/auth/verify-email", {"token": token})
    assert again.status == 400


def test_expired_verification_token_is_rejected(api, drain, stack):
    import psycopg

    register(api)
    drain()
    token = _verification_token("reader@example.com")
    with psycopg.connect(stack["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("UPDATE email_tokens SET expires_at = now() - interval '1 minute'")
    assert api.post("/api/auth/verify-email", {"token": token}).status == 400


def test_resend_verification_sends_a_new_working_link(api, drain):
    register(api)
    drain()
    token = login(api).json["access_token"]
    reply = api.post("/api/auth/resend-verification", token=token)
    assert reply.status == 202
    drain()
    assert len(emails_to("reader@example.com")) == 2
    assert api.post("/api/auth/verify-email", {"token": _verification_token("reader@example.com")}).status == 200
    # Once verified, nothing more is sent.
    assert api.post("/api/auth/resend-verification", token=token).json == {"detail": "email already verified"}
    drain()
    assert len(emails_to("reader@example.com")) == 2


def test_resend_verification_requires_authentication(api):
    assert api.post("/api/auth/resend-verification").status == 401


def test_deactivated_user_cannot_sign_in_or_use_tokens(api, stack):
    import psycopg

    register(api)
    pair = login(api).json
    with psycopg.connect(stack["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("UPDATE users SET is_active = false")
    assert api.get("/api/auth/me", token=pair["access_token"]).status == 401
    assert login(api).status == 401
    assert api.post("/api/auth/refresh", {"refresh_token": pair["refresh_token"]}).status == 401


def test_passwords_are_stored_as_argon2id_hashes(api, stack):
    import psycopg

    register(api)
    with psycopg.connect(stack["DATABASE_URL"]) as conn:
        (stored,) = conn.execute("SELECT password_hash FROM users").fetchone()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_refresh_tokens_are_stored_hashed(api, stack):
    import psycopg

    register(api)
    pair = login(api).json
    with psycopg.connect(stack["DATABASE_URL"]) as conn:
        hashes = [bytes(r[0]) for r in conn.execute("SELECT token_hash FROM refresh_tokens")]
    assert hashes and all(pair["refresh_token"].encode() not in h for h in hashes)
    assert all(len(h) == 32 for h in hashes)
