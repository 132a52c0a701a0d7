"""A user's profile and preferences (the settings page)."""
from __future__ import annotations

import secrets
from typing import Any

from layers.core.db import Db
from layers.core.errors import NotFound
from layers.core.sql import update_row
from layers.schemas.settings import SettingsPatch

_SETTINGS_SQL = """
    SELECT u.name, u.email, s.theme, s.email_notifications, s.bio,
           EXISTS (SELECT 1 FROM digest_subscriptions d WHERE d.user_id = u.id) AS digest_opt_in
    FROM users u JOIN user_settings s ON s.user_id = u.id
    WHERE u.id = %s
"""
_PREFERENCES = ("theme", "email_notifications", "bio")  # columns of user_settings


def get(conn: Db, user_id: int) -> dict[str, Any]:
    row: dict[str, Any] | None = conn.execute(_SETTINGS_SQL, (user_id,)).fetchone()
    if row is None:
        raise NotFound("user not found")
    return row


def update(conn: Db, user_id: int, patch: SettingsPatch) -> dict[str, Any]:
    """Apply only the fields the caller sent."""
    changes = patch.changes()
    if "name" in changes:
        update_row(conn, "users", {"name": changes["name"]}, {"id": user_id})
    prefs = {k: changes[k] for k in _PREFERENCES if k in changes}
    if prefs:
        update_row(conn, "user_settings", prefs, {"user_id": user_id}, returning=("user_id",))
    if "digest_opt_in" in changes:
        set_digest(conn, user_id, changes["digest_opt_in"])
    return get(conn, user_id)


def set_digest(conn: Db, user_id: int, subscribed: bool) -> None:
    """Opt in or out of the daily digest."""
    if subscribed:
        conn.execute(
            "INSERT INTO digest_subscriptions (user_id, unsubscribe_token) VALUES (%s, %s)"
            " ON CONFLICT (user_id) DO NOTHING",
            (user_id, secrets.token_urlsafe(24)),
        )
    else:
        conn.execute("DELETE FROM digest_subscriptions WHERE user_id = %s", (user_id,))
