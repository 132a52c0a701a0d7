"""Study notes: private to their author, optionally attached to a published post."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.errors import NotFound
from layers.core.pagination import PageQuery, paginate
from layers.core.sql import update_row
from layers.schemas.notes import NoteIn, NotePatch
from layers.services.published import published_post

_COLUMNS = ("id", "post_id", "title", "content", "created_at", "updated_at")
_SELECT = ", ".join(_COLUMNS)


def list_for(conn: Db, user_id: int, post_id: int | None, query: PageQuery) -> dict[str, Any]:
    """Most recently edited first; ``post_id`` narrows to one post's notes."""
    where = "user_id = %(uid)s" + (" AND post_id = %(pid)s" if post_id is not None else "")
    return paginate(conn, f"SELECT {_SELECT} FROM study_notes WHERE {where}",
                    {"uid": user_id, "pid": post_id}, query, "updated_at DESC, id DESC")


def create(conn: Db, user_id: int, note: NoteIn) -> dict[str, Any]:
    if note.post_id is not None:
        published_post(conn, note.post_id)
    row = conn.execute(
        f"INSERT INTO study_notes (user_id, post_id, title, content) VALUES (%s, %s, %s, %s) RETURNING {_SELECT}",
        (user_id, note.post_id, note.title, note.content),
    ).fetchone()
    assert row is not None  # INSERT ... RETURNING always returns the row
    return row


def update(conn: Db, user_id: int, note_id: int, patch: NotePatch) -> dict[str, Any]:
    """Change title and/or content of one's own note; another user's note is not found."""
    row = update_row(conn, "study_notes", patch.changes(), {"id": note_id, "user_id": user_id},
                     returning=_COLUMNS)
    if row is None:
        raise NotFound("note not found")
    return row


def delete(conn: Db, user_id: int, note_id: int) -> None:
    row = conn.execute("DELETE FROM study_notes WHERE id = %s AND user_id = %s RETURNING id",
                       (note_id, user_id)).fetchone()
    if row is None:
        raise NotFound("note not found")
