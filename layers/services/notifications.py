"""In-app notifications: written by other services with ``notify``, read by their owner.

``notify`` joins the caller's unit of work, so a notification exists exactly when
the change it announces does.
"""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.errors import NotFound
from layers.core.pagination import PageQuery, paginate

_COLUMNS = "id, type, title, message, link, is_read, created_at"
_TITLE_MAX = 200
_MESSAGE_MAX = 1000


def notify(conn: Db, user_id: int, type: str, title: str, message: str = "",
           link: str | None = None) -> int:
    """Queue a notification for ``user_id`` in the caller's transaction; returns its id."""
    row = conn.execute(
        "INSERT INTO notifications (user_id, type, title, message, link) VALUES (%s, %s, %s, %s, %s)"
        " RETURNING id",
        (user_id, type, _clip(title, _TITLE_MAX), _clip(message, _MESSAGE_MAX), link),
    ).fetchone()
    assert row is not None  # INSERT ... RETURNING always yields the row
    notification_id: int = row["id"]
    return notification_id


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def list_for(conn: Db, user_id: int, query: PageQuery, *, unread_only: bool) -> dict[str, Any]:
    """Newest first; ``unread_count`` counts every unread one, whatever the page or filter."""
    where = "user_id = %(uid)s" + (" AND NOT is_read" if unread_only else "")
    page = paginate(conn, f"SELECT {_COLUMNS} FROM notifications WHERE {where}", {"uid": user_id},
                    query, "created_at DESC, id DESC")
    unread = conn.execute(
        "SELECT count(*) AS n FROM notifications WHERE user_id = %s AND NOT is_read", (user_id,)
    ).fetchone()
    page["unread_count"] = unread["n"] if unread else 0
    return page


def mark_read(conn: Db, user_id: int, notification_id: int) -> dict[str, Any]:
    row: dict[str, Any] | None = conn.execute(
        f"UPDATE notifications SET is_read = true WHERE id = %s AND user_id = %s RETURNING {_COLUMNS}",
        (notification_id, user_id),
    ).fetchone()
    if row is None:
        raise NotFound("notification not found")
    return row


def mark_all_read(conn: Db, user_id: int) -> int:
    updated = conn.execute(
        "UPDATE notifications SET is_read = true WHERE user_id = %s AND NOT is_read", (user_id,)
    ).rowcount
    return updated


def delete(conn: Db, user_id: int, notification_id: int) -> None:
    row = conn.execute("DELETE FROM notifications WHERE id = %s AND user_id = %s RETURNING id",
                       (notification_id, user_id)).fetchone()
    if row is None:
        raise NotFound("notification not found")
