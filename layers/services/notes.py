"""Study notes: private to their author, optionally attached to a published post."""
from __future__ import annotations

from typing import Any

from layers.core.errors import NotFound
from layers.http.pagination import PageQuery, paginate

_COLUMNS = "id, post_id, title, content, created_at, updated_at"


def list_for(conn: Any, user_id: int, post_id: int | None, query: PageQuery) -> dict[str, Any]:
    """Most recently edited first; ``post_id`` narrows to one post's notes."""
    where = "user_id = %(uid)s" + (" AND post_id = %(pid)s" if post_id is not None else "")
    return paginate(conn, f"SELECT {_COLUMNS} FROM study_notes WHERE {where}",
                    {"uid": user_id, "pid": post_id}, query, "updated_at DESC, id DESC")


def create(conn: Any, user_id: int, *, post_id: int | None, title: str, content: str) -> dict[str, Any]:
    if post_id is not None and conn.execute(
            "SELECT 1 FROM posts WHERE id = %s AND status = 'published'", (post_id,)).fetchone() is None:
        raise NotFound("post not found")
    row = conn.execute(
        f"INSERT INTO study_notes (user_id, post_id, title, content) VALUES (%s, %s, %s, %s) RETURNING {_COLUMNS}",
        (user_id, post_id, title, content),
    ).fetchone()
    conn.commit()
    return row


def update(conn: Any, user_id: int, note_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Change title and/or content of one's own note; another user's note is not found."""
    row = conn.execute(
        "UPDATE study_notes SET title = coalesce(%(title)s, title), content = coalesce(%(content)s, content),"
        f" updated_at = now() WHERE id = %(id)s AND user_id = %(uid)s RETURNING {_COLUMNS}",
        {"title": changes.get("title"), "content": changes.get("content"), "id": note_id, "uid": user_id},
    ).fetchone()
    if row is None:
        raise NotFound("note not found")
    conn.commit()
    return row


def delete(conn: Any, user_id: int, note_id: int) -> None:
    row = conn.execute("DELETE FROM study_notes WHERE id = %s AND user_id = %s RETURNING id",
                       (note_id, user_id)).fetchone()
    if row is None:
        raise NotFound("note not found")
    conn.commit()
