"""Sign-up, sign-in, token refresh and logout, email verification."""
from __future__ import annotations

import uuid
from typing import Any

from layers.core.db import Db
from layers.core.errors import BadRequest, Unauthorized
from layers.core.settings import Settings
from layers.core.uow import fail_after_commit
from layers.schemas.auth import LoginIn, RegisterIn
from layers.services import referrals, users
from layers.services.auth import passwords, tokens
from layers.tasks import outbox


def register(conn: Db, settings: Settings, account: RegisterIn) -> dict[str, Any]:
    """Create the account, queue its verification email, credit a referral."""
    role = users.role_for(account.email, settings.admin_email_set)
    user_id = users.create(conn, email=account.email, name=account.name,
                           password_hash=passwords.hash_password(account.password), role=role)
    if account.referral_code:
        referrals.record_signup(conn, account.referral_code, user_id)
    outbox.enqueue(conn, "send_verification_email", {"user_id": user_id})
    return users.self_view(conn, user_id)


def login(conn: Db, settings: Settings, credentials: LoginIn) -> dict[str, Any]:
    user = users.find_by_email(conn, credentials.email)
    verified = passwords.verify_password(user["password_hash"] if user else None, credentials.password)
    # One answer for an unknown email, a wrong password and a deactivated account.
    if user is None or not verified or not user["is_active"]:
        raise Unauthorized("incorrect email or password")
    if passwords.needs_rehash(user["password_hash"]):
        conn.execute("UPDATE users SET password_hash = %s WHERE id = %s",
                     (passwords.hash_password(credentials.password), user["id"]))
    return tokens.token_pair(conn, settings, user["id"], user["role"])


def refresh(conn: Db, settings: Settings, refresh_token: str) -> dict[str, Any]:
    """Rotate a refresh token. Presenting a spent one revokes its whole family (token theft)."""
    row = conn.execute(
        "SELECT t.id, t.user_id, t.family_id, t.used_at, t.revoked_at, t.expires_at < now() AS expired,"
        " u.role, u.is_active"
        " FROM refresh_tokens t JOIN users u ON u.id = t.user_id"
        " WHERE t.token_hash = %s FOR UPDATE OF t",
        (tokens.digest(refresh_token),),
    ).fetchone()
    if row is None:
        raise Unauthorized("invalid refresh token")
    if row["used_at"] is not None or row["revoked_at"] is not None:
        error = Unauthorized("refresh token already used or revoked")
        if row["used_at"] is not None:
            # A spent token came back: someone holds a copy. The revocation must outlive the 401.
            _revoke_family(conn, row["family_id"])
            raise fail_after_commit(error)
        raise error
    if row["expired"] or not row["is_active"]:
        raise Unauthorized("refresh token expired")
    conn.execute("UPDATE refresh_tokens SET used_at = now() WHERE id = %s", (row["id"],))
    return tokens.token_pair(conn, settings, row["user_id"], row["role"], family_id=row["family_id"])


def _revoke_family(conn: Db, family_id: uuid.UUID) -> None:
    conn.execute(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = %s AND revoked_at IS NULL",
        (family_id,),
    )


def logout(conn: Db, user_id: int, refresh_token: str) -> None:
    """Revoke the caller's own refresh token; someone else's token is silently not touched."""
    conn.execute(
        "UPDATE refresh_tokens SET revoked_at = now()"
        " WHERE token_hash = %s AND user_id = %s AND revoked_at IS NULL",
        (tokens.digest(refresh_token), user_id),
    )


def revoke_all_sessions(conn: Db, user_id: int) -> None:
    conn.execute("UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = %s AND revoked_at IS NULL",
                 (user_id,))


def create_email_token(conn: Db, settings: Settings, user_id: int, purpose: str) -> str:
    token, token_hash = tokens.new_opaque_token()
    conn.execute(
        "INSERT INTO email_tokens (user_id, purpose, token_hash, expires_at)"
        " VALUES (%s, %s, %s, now() + make_interval(hours => %s))",
        (user_id, purpose, token_hash, settings.email_token_ttl_hours),
    )
    return token


def verify_email(conn: Db, token: str) -> dict[str, Any]:
    row = conn.execute(
        "UPDATE email_tokens SET used_at = now()"
        " WHERE token_hash = %s AND purpose = 'verify_email' AND used_at IS NULL AND expires_at > now()"
        " RETURNING user_id",
        (tokens.digest(token),),
    ).fetchone()
    if row is None:
        raise BadRequest("verification token is invalid, expired or already used")
    conn.execute("UPDATE users SET email_verified = true, updated_at = now() WHERE id = %s", (row["user_id"],))
    return users.self_view(conn, row["user_id"])


def resend_verification(conn: Db, user_id: int) -> bool:
    """Queue a new verification email unless the address is already verified."""
    row = conn.execute("SELECT email_verified FROM users WHERE id = %s", (user_id,)).fetchone()
    if row is None or row["email_verified"]:
        return False
    outbox.enqueue(conn, "send_verification_email", {"user_id": user_id})
    return True
