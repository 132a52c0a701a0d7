"""Accounts: lookup, creation and the self view every auth endpoint returns."""
from __future__ import annotations

from typing import Any

from layers.core.errors import Conflict, NotFound

# "Premium" = an active subscription, for the user aliased ``u``: the one definition in SQL.
IS_PREMIUM_SQL = """EXISTS (
        SELECT 1 FROM subscriptions s
        WHERE s.user_id = u.id AND s.status IN ('active', 'trialing')
          AND (s.current_period_end IS NULL OR s.current_period_end > now())
    )"""

# The self view: never password_hash, tokens or provider ids.
_SELF_COLUMNS = f"""
    u.id, u.email, u.name, u.role, u.email_verified, u.xp, u.level, u.streak, u.created_at,
    {IS_PREMIUM_SQL} AS is_premium
"""


def self_view(conn: Any, user_id: int) -> dict[str, Any]:
    row = conn.execute(f"SELECT {_SELF_COLUMNS} FROM users u WHERE u.id = %s", (user_id,)).fetchone()
    if row is None:
        raise NotFound("user not found")
    return row


def active_principal(conn: Any, user_id: int) -> dict[str, Any] | None:
    """What authentication needs per request: the user if still active, with role and premium."""
    return conn.execute(
        f"SELECT {_SELF_COLUMNS} FROM users u WHERE u.id = %s AND u.is_active", (user_id,)
    ).fetchone()


def find_by_email(conn: Any, email: str) -> dict[str, Any] | None:
    return conn.execute(
        "SELECT id, email, name, role, password_hash, is_active, email_verified, google_sub"
        " FROM users WHERE email = %s",
        (email.lower(),),
    ).fetchone()


def create(conn: Any, *, email: str, name: str, password_hash: str | None, role: str,
           email_verified: bool = False, google_sub: str | None = None) -> int:
    """Insert an account and its default settings; ``Conflict`` if the email is taken."""
    row = conn.execute(
        "INSERT INTO users (email, name, password_hash, role, email_verified, google_sub)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (email) DO NOTHING RETURNING id",
        (email.lower(), name, password_hash, role, email_verified, google_sub),
    ).fetchone()
    if row is None:
        raise Conflict("an account with this email already exists")
    conn.execute("INSERT INTO user_settings (user_id) VALUES (%s)", (row["id"],))
    return row["id"]


def role_for(email: str, admin_emails: frozenset[str]) -> str:
    return "admin" if email.lower() in admin_emails else "user"
