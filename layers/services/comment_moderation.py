"""Comment moderation: the admin queue, approving and removing comments.

The author hears about either outcome through a notification written in the same transaction.
"""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.errors import NotFound
from layers.core.pagination import paginate
from layers.schemas.comment_moderation import ModerationQuery
from layers.services import notifications
from layers.services.comments import author, comment_link

# Constant fragments chosen by the validated ``status`` value; never built from input.
_STATUS_FILTER = {"pending": "WHERE NOT c.is_approved", "approved": "WHERE c.is_approved", "all": ""}

_QUEUE_SQL = """
SELECT c.id, c.parent_id, c.content, c.is_approved, c.created_at,
       jsonb_build_object('id', p.id, 'slug', p.slug, 'title', p.title) AS post,
       u.id AS author_id, u.name AS author_name
FROM comments c JOIN posts p ON p.id = c.post_id LEFT JOIN users u ON u.id = c.user_id
{where}
"""

_RETURNING = "RETURNING id, post_id, user_id, parent_id, content, is_approved, created_at"


def queue(conn: Db, query: ModerationQuery) -> dict[str, Any]:
    """Newest first, which walks ``comments_moderation_idx`` for the pending queue."""
    page = paginate(conn, _QUEUE_SQL.format(where=_STATUS_FILTER[query.status]), {}, query,
                    "created_at DESC, id DESC")
    page["items"] = [_shaped(row) for row in page["items"]]
    return page


def approve(conn: Db, comment_id: int) -> dict[str, Any]:
    """Approve a comment; approving an approved one changes nothing and notifies no one."""
    row = conn.execute(f"UPDATE comments SET is_approved = true WHERE id = %s AND NOT is_approved {_RETURNING}",
                       (comment_id,)).fetchone()
    if row is not None and row["user_id"] is not None:  # None: the author's account was deleted
        post = _post(conn, row["post_id"])
        notifications.notify(conn, row["user_id"], "comment_approved", "Your comment was approved",
                             f"On \u201c{post['title']}\u201d", comment_link(post["slug"], row["id"]))
    return _view(conn, comment_id)


def remove(conn: Db, comment_id: int, moderator_id: int) -> None:
    """Delete a comment (and its replies); its author is told unless they removed it themselves."""
    row = conn.execute(f"DELETE FROM comments WHERE id = %s {_RETURNING}", (comment_id,)).fetchone()
    if row is None:
        raise NotFound("comment not found")
    if row["user_id"] not in (moderator_id, None):
        post = _post(conn, row["post_id"])
        notifications.notify(conn, row["user_id"], "comment_removed", "Your comment was removed",
                             f"A moderator removed your comment on \u201c{post['title']}\u201d.",
                             f"/posts/{post['slug']}")


def _post(conn: Db, post_id: int) -> dict[str, Any]:
    """The commented post, whatever its status (a comment cannot outlive its post)."""
    row = conn.execute("SELECT id, slug, title FROM posts WHERE id = %s", (post_id,)).fetchone()
    if row is None:
        raise NotFound("post not found")
    return row


def _view(conn: Db, comment_id: int) -> dict[str, Any]:
    row = conn.execute(_QUEUE_SQL.format(where="WHERE c.id = %s"), (comment_id,)).fetchone()
    if row is None:
        raise NotFound("comment not found")
    return _shaped(row)


def _shaped(row: dict[str, Any]) -> dict[str, Any]:
    shaped = {key: value for key, value in row.items() if key not in ("author_id", "author_name")}
    return {**shaped, "author": author(row["author_id"], row["author_name"])}
