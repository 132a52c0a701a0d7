"""In-app notifications: written by other services with ``notify``, read by their owner.

``notify`` never commits: it joins the caller's transaction, so a notification exists exactly when
the change it announces does.
"""
from __future__ import annotations

from typing import Any

from layers.core.errors import NotFound
from layers.core.pagination import PageQuery, paginate

_COLUMNS = "id, type, title, message, link, is_read, created_at"
_TITLE_MAX = 200
_MESSAGE_MAX = 1000


def notify(conn: Any, user_id: int, type: str, title: str, message: str = "",
           link: str | None = None) -> int:
    """Queue a notification for ``user_id`` in the caller's transaction; returns its id."""
    row = conn.execute(
        "INSERT INTO notifications (user_id, type, title, message, link) VALUES (%s, %s, %s, %s, %s)"
        " RETURNING id",
        (user_id, type, _clip(title, _TITLE_MAX), _clip(message, _MESSAGE_MAX), link),
    ).fetchone()
    return row["id"]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def list_for(conn: Any, user_id: int, query: PageQuery, *, unread_only: bool) -> dict[str, Any]:
    """Newest first; ``unread_count`` counts every unread one, whatever the page or filter."""
    where = "user_id = %(uid)s" + (" AND NOT is_read" if unread_only else "")
    page = paginate(conn, f"SELECT {_COLUMNS} FROM notifications WHERE {where}", {"uid": user_id},
                    query, "created_at DESC, id DESC")
    page["unread_count"] = conn.execute(
        "SELECT count(*) AS n FROM notifications WHERE user_id = %s AND NOT is_read", (user_id,)
    ).fetchone()["n"]
    return page


def mark_read(conn: Any, user_id: int, notification_id: int) -> dict[str, Any]:
    row = conn.execute(
        f"UPDATE notifications SET is_read = true WHERE id = %s AND user_id = %s RETURNING {_COLUMNS}",
        (notification_id, user_id),
    ).fetchone()
    if row is None:
        raise NotFound("notification not found")
    conn.commit()
    return row


def mark_all_read(conn: Any, user_id: int) -> int:
    updated = conn.execute(
        "UPDATE notifications SET is_read = true WHERE user_id = %s AND NOT is_read", (user_id,)
    ).rowcount
    conn.commit()
    return updated


def delete(conn: Any, user_id: int, notification_id: int) -> None:
    row = conn.execute("DELETE FROM notifications WHERE id = %s AND user_id = %s RETURNING id",
                       (notification_id, user_id)).fetchone()
    if row is None:
        raise NotFound("notification not found")
    conn.commit()
