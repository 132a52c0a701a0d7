"""A user's profile and preferences (the settings page)."""
from __future__ import annotations

import secrets
from typing import Any

_SETTINGS_SQL = """
    SELECT u.name, u.email, s.theme, s.email_notifications, s.bio,
           EXISTS (SELECT 1 FROM digest_subscriptions d WHERE d.user_id = u.id) AS digest_opt_in
    FROM users u JOIN user_settings s ON s.user_id = u.id
    WHERE u.id = %s
"""


def get(conn: Any, user_id: int) -> dict[str, Any]:
    return conn.execute(_SETTINGS_SQL, (user_id,)).fetchone()


def update(conn: Any, user_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply only the fields the caller sent; one transaction."""
    if "name" in changes:
        conn.execute("UPDATE users SET name = %s, updated_at = now() WHERE id = %s", (changes["name"], user_id))
    prefs = {k: changes[k] for k in ("theme", "email_notifications", "bio") if k in changes}
    if prefs:
        assignments = ", ".join(f"{column} = %({column})s" for column in prefs)  # names from the allow-list
        conn.execute(f"UPDATE user_settings SET {assignments}, updated_at = now() WHERE user_id = %(uid)s",
                     {**prefs, "uid": user_id})
    if "digest_opt_in" in changes:
        set_digest(conn, user_id, changes["digest_opt_in"])
    conn.commit()
    return get(conn, user_id)


def set_digest(conn: Any, user_id: int, subscribed: bool) -> None:
    """Opt in or out of the daily digest (no commit: callers own the transaction)."""
    if subscribed:
        conn.execute(
            "INSERT INTO digest_subscriptions (user_id, unsubscribe_token) VALUES (%s, %s)"
            " ON CONFLICT (user_id) DO NOTHING",
            (user_id, secrets.token_urlsafe(24)),
        )
    else:
        conn.execute("DELETE FROM digest_subscriptions WHERE user_id = %s", (user_id,))
