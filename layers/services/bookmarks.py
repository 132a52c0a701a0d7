"""Bookmarks: a reader's saved published posts."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.errors import Conflict, NotFound
from layers.core.pagination import PageQuery, paginate
from layers.services.post_summaries import summaries, with_summaries
from layers.services.published import published_post

# A post that was unpublished after being saved drops out of the list until it is back.
_LIST_SQL = """
SELECT b.post_id AS id, b.post_id, b.created_at
FROM bookmarks b JOIN posts p ON p.id = b.post_id
WHERE b.user_id = %(uid)s AND p.status = 'published'
"""


def list_for(conn: Db, user_id: int, full_access: bool, query: PageQuery) -> dict[str, Any]:
    """Most recently saved first (``bookmarks_user_idx``), each with its post summary."""
    page = paginate(conn, _LIST_SQL, {"uid": user_id}, query, "created_at DESC, id DESC")
    page["items"] = with_summaries(conn, page["items"], full_access)
    return page


def add(conn: Db, user_id: int, full_access: bool, post_id: int) -> dict[str, Any]:
    """Save a published post; 404 for an unknown or unpublished post, 409 when already saved."""
    published_post(conn, post_id, lock=True)
    inserted = conn.execute(
        "INSERT INTO bookmarks (user_id, post_id) VALUES (%s, %s)"
        " ON CONFLICT (user_id, post_id) DO NOTHING RETURNING post_id, created_at",
        (user_id, post_id),
    ).fetchone()
    if inserted is None:
        raise Conflict("post is already bookmarked")
    post = summaries(conn, [post_id], full_access)[post_id]
    return {**inserted, "post": post}


def remove(conn: Db, user_id: int, post_id: int) -> None:
    row = conn.execute("DELETE FROM bookmarks WHERE user_id = %s AND post_id = %s RETURNING post_id",
                       (user_id, post_id)).fetchone()
    if row is None:
        raise NotFound("bookmark not found")


def status(conn: Db, user_id: int, post_id: int) -> bool:
    """Whether the post is saved; 404 for a post that is neither saved nor published."""
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM bookmarks WHERE user_id = %(uid)s AND post_id = %(pid)s) AS saved,"
        " EXISTS (SELECT 1 FROM posts WHERE id = %(pid)s AND status = 'published') AS published",
        {"uid": user_id, "pid": post_id},
    ).fetchone()
    if row is None or not (row["saved"] or row["published"]):
        raise NotFound("post not found")
    return bool(row["saved"])
