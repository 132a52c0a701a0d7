"""Sign-up, sign-in, token refresh and logout, email verification."""
from __future__ import annotations

from typing import Any

from layers.core.errors import BadRequest, Unauthorized
from layers.core.settings import Settings
from layers.services import users
from layers.services.auth import passwords, tokens
from layers.tasks import outbox


def register(conn: Any, settings: Settings, *, email: str, password: str, name: str,
             referral_code: str | None = None) -> dict[str, Any]:
    """Create the account, queue its verification email, credit a referral; commit once."""
    role = users.role_for(email, settings.admin_email_set)
    user_id = users.create(conn, email=email, name=name, password_hash=passwords.hash_password(password),
                           role=role)
    if referral_code:
        _record_referral_signup(conn, referral_code, user_id)
    outbox.enqueue(conn, "send_verification_email", {"user_id": user_id})
    conn.commit()
    return users.self_view(conn, user_id)


def _record_referral_signup(conn: Any, code: str, user_id: int) -> None:
    # An unknown code is ignored rather than failing sign-up: the code came from a shared link.
    referral = conn.execute("SELECT id, user_id FROM referrals WHERE code = %s", (code,)).fetchone()
    if referral is None or referral["user_id"] == user_id:
        return
    conn.execute("UPDATE users SET referred_by = %s WHERE id = %s", (referral["user_id"], user_id))
    conn.execute(
        "INSERT INTO referral_events (referral_id, kind, referred_user_id) VALUES (%s, 'signup', %s)"
        " ON CONFLICT (referred_user_id) DO NOTHING",
        (referral["id"], user_id),
    )


def login(conn: Any, settings: Settings, *, email: str, password: str) -> dict[str, Any]:
    user = users.find_by_email(conn, email)
    # One answer for an unknown email, a wrong password and a deactivated account.
    if not passwords.verify_password(user["password_hash"] if user else None, password) or not user["is_active"]:
        raise Unauthorized("incorrect email or password")
    if passwords.needs_rehash(user["password_hash"]):
        conn.execute("UPDATE users SET password_hash = %s WHERE id = %s",
                     (passwords.hash_password(password), user["id"]))
    pair = tokens.token_pair(conn, settings, user["id"], user["role"])
    conn.commit()
    return pair


def refresh(conn: Any, settings: Settings, refresh_token: str) -> dict[str, Any]:
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
        if row["used_at"] is not None:
            _revoke_family(conn, row["family_id"])
            conn.commit()
        raise Unauthorized("refresh token already used or revoked")
    if row["expired"] or not row["is_active"]:
        raise Unauthorized("refresh token expired")
    conn.execute("UPDATE refresh_tokens SET used_at = now() WHERE id = %s", (row["id"],))
    pair = tokens.token_pair(conn, settings, row["user_id"], row["role"], family_id=row["family_id"])
    conn.commit()
    return pair


def _revoke_family(conn: Any, family_id: Any) -> None:
    conn.execute(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = %s AND revoked_at IS NULL",
        (family_id,),
    )


def logout(conn: Any, user_id: int, refresh_token: str) -> None:
    """Revoke the caller's own refresh token; someone else's token is silently not touched."""
    conn.execute(
        "UPDATE refresh_tokens SET revoked_at = now()"
        " WHERE token_hash = %s AND user_id = %s AND revoked_at IS NULL",
        (tokens.digest(refresh_token), user_id),
    )
    conn.commit()


def revoke_all_sessions(conn: Any, user_id: int) -> None:
    conn.execute("UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = %s AND revoked_at IS NULL",
                 (user_id,))


def create_email_token(conn: Any, settings: Settings, user_id: int, purpose: str) -> str:
    token, token_hash = tokens.new_opaque_token()
    conn.execute(
        "INSERT INTO email_tokens (user_id, purpose, token_hash, expires_at)"
        " VALUES (%s, %s, %s, now() + make_interval(hours => %s))",
        (user_id, purpose, token_hash, settings.email_token_ttl_hours),
    )
    return token


def verify_email(conn: Any, token: str) -> dict[str, Any]:
    row = conn.execute(
        "UPDATE email_tokens SET used_at = now()"
        " WHERE token_hash = %s AND purpose = 'verify_email' AND used_at IS NULL AND expires_at > now()"
        " RETURNING user_id",
        (tokens.digest(token),),
    ).fetchone()
    if row is None:
        raise BadRequest("verification token is invalid, expired or already used")
    conn.execute("UPDATE users SET email_verified = true, updated_at = now() WHERE id = %s", (row["user_id"],))
    conn.commit()
    return users.self_view(conn, row["user_id"])


def resend_verification(conn: Any, user_id: int) -> bool:
    """Queue a new verification email unless the address is already verified."""
    row = conn.execute("SELECT email_verified FROM users WHERE id = %s", (user_id,)).fetchone()
    if row is None or row["email_verified"]:
        return False
    outbox.enqueue(conn, "send_verification_email", {"user_id": user_id})
    conn.commit()
    return True
