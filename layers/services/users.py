"""Accounts: lookup, creation and the self view every auth endpoint returns."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.errors import Conflict, NotFound

# "Premium", for the user aliased ``u``: the one definition, read by the user view
# (``is_premium``), by authentication (so every gate) and by the payments service. Stripe's state
# decides: ``active`` and ``trialing`` while the paid period lasts, plus a day, because the
# renewal's webhook arrives after the period it renews has ended; ``past_due`` (a renewal payment
# failed and Stripe is retrying) keeps access for a 7-day grace from the first failure, so a card
# about to be fixed does not lock a reader out. ``unpaid``, ``canceled``, ``incomplete``,
# ``paused`` and anything else: no access. A NULL period end means no end (granted by hand).
IS_PREMIUM_SQL = """EXISTS (
        SELECT 1 FROM subscriptions s
        WHERE s.user_id = u.id AND (
            (s.status IN ('active', 'trialing')
             AND (s.current_period_end IS NULL OR s.current_period_end > now() - interval '1 day'))
            OR (s.status = 'past_due' AND s.past_due_since > now() - interval '7 days'))
    )"""

# The self view: never password_hash, tokens or provider ids.
_SELF_COLUMNS = f"""
    u.id, u.email, u.name, u.role, u.email_verified, u.xp, u.level, u.streak, u.created_at,
    {IS_PREMIUM_SQL} AS is_premium
"""


def self_view(conn: Db, user_id: int) -> dict[str, Any]:
    row: dict[str, Any] | None = conn.execute(f"SELECT {_SELF_COLUMNS} FROM users u WHERE u.id = %s",
                                              (user_id,)).fetchone()
    if row is None:
        raise NotFound("user not found")
    return row


def active_principal(conn: Db, user_id: int) -> dict[str, Any] | None:
    """What authentication needs per request: the user if still active, with role and premium."""
    row: dict[str, Any] | None = conn.execute(
        f"SELECT {_SELF_COLUMNS} FROM users u WHERE u.id = %s AND u.is_active", (user_id,)
    ).fetchone()
    return row


def find_by_email(conn: Db, email: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = conn.execute(
        "SELECT id, email, name, role, password_hash, is_active, email_verified, google_sub"
        " FROM users WHERE email = %s",
        (email.lower(),),
    ).fetchone()
    return row


def create(conn: Db, *, email: str, name: str, password_hash: str | None, role: str,
           email_verified: bool = False, google_sub: str | None = None) -> int:
    """Insert an account and its default settings; ``Conflict`` if the email is taken."""
    row = conn.execute(
        "INSERT INTO users (email, name, password_hash, role, email_verified, google_sub)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (email) DO NOTHING RETURNING id",
        (email.lower(), name, password_hash, role, email_verified, google_sub),
    ).fetchone()
    if row is None:
        raise Conflict("an account with this email already exists")
    user_id: int = row["id"]
    conn.execute("INSERT INTO user_settings (user_id) VALUES (%s)", (user_id,))
    return user_id


def role_for(email: str, admin_emails: frozenset[str]) -> str:
    return "admin" if email.lower() in admin_emails else "user"
