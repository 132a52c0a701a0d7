"""Comments on published posts: the reader's side (tree, post, delete own).

New comments wait for moderation (``comment_moderation``) except an admin's own. A reader sees the
approved ones and their own pending ones; a reply whose parent they cannot see is not shown.
"""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.errors import NotFound, ValidationFailed
from layers.core.identity import CurrentUser
from layers.core.pagination import PageQuery
from layers.schemas.comments import CommentIn
from layers.services import notifications
from layers.services.published import published_post

# Replies nest at most this deep; the tree is serialised recursively, so depth must be bounded.
MAX_DEPTH = 8

# One query for a page of top-level comments with every visible reply beneath them: the page of
# roots is chosen first, then the recursive part walks down from those roots only.
_TREE_SQL = """
WITH RECURSIVE visible AS (
    SELECT c.id, c.post_id, c.parent_id, c.user_id, c.content, c.is_approved, c.created_at,
           c.deleted_at IS NOT NULL AS is_deleted
    FROM comments c
    WHERE c.post_id = %(post_id)s AND (c.is_approved OR c.user_id = %(viewer_id)s)
), roots AS (
    SELECT v.id, count(*) OVER () AS total_roots
    FROM visible v WHERE v.parent_id IS NULL
    ORDER BY v.created_at, v.id
    LIMIT %(limit)s OFFSET %(offset)s
), tree AS (
    SELECT v.*, 1 AS depth FROM visible v JOIN roots r ON r.id = v.id
    UNION ALL
    SELECT v.*, t.depth + 1 FROM visible v JOIN tree t ON v.parent_id = t.id
    WHERE t.depth < %(max_depth)s
)
SELECT t.id, t.post_id, t.parent_id, t.content, t.is_approved, t.created_at, t.is_deleted,
       u.id AS author_id, u.name AS author_name,
       (SELECT max(total_roots) FROM roots) AS total_roots
FROM tree t LEFT JOIN users u ON u.id = t.user_id  -- no author: a deleted account's tombstone
ORDER BY t.created_at, t.id
"""

_COUNT_ROOTS_SQL = """
SELECT count(*) AS n FROM comments
WHERE post_id = %(post_id)s AND parent_id IS NULL AND (is_approved OR user_id = %(viewer_id)s)
"""

# The parent and the length of its ancestor chain (bounded), to cap nesting. The parent is locked
# against deletion until the reply commits; a parent deleted meanwhile is not found (a 422).
_PARENT_SQL = """
WITH RECURSIVE chain AS (
    SELECT id, parent_id, 1 AS depth FROM comments WHERE id = %(parent_id)s
    UNION ALL
    SELECT c.id, c.parent_id, ch.depth + 1 FROM comments c JOIN chain ch ON c.id = ch.parent_id
    WHERE ch.depth <= %(max_depth)s
)
SELECT p.id, p.post_id, p.user_id, p.is_approved, p.deleted_at, (SELECT max(depth) FROM chain) AS depth
FROM comments p WHERE p.id = %(parent_id)s
FOR KEY SHARE OF p
"""


def comment_link(slug: str, comment_id: int) -> str:
    """Where a notification about a comment points (a frontend path)."""
    return f"/posts/{slug}#comment-{comment_id}"


def tree(conn: Db, post_id: int, viewer_id: int | None, query: PageQuery) -> dict[str, Any]:
    published_post(conn, post_id)
    params = {"post_id": post_id, "viewer_id": viewer_id, "limit": query.limit, "offset": query.offset,
              "max_depth": MAX_DEPTH}
    rows = conn.execute(_TREE_SQL, params).fetchall()
    if rows:
        total = rows[0]["total_roots"]
    elif query.page == 1:
        total = 0
    else:
        counted = conn.execute(_COUNT_ROOTS_SQL, params).fetchone()
        total = counted["n"] if counted else 0
    return {"items": _assemble(rows), "total": total, "page": query.page, "page_size": query.page_size}


def _assemble(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    nodes = {row["id"]: _node(row) for row in rows}
    roots: list[dict[str, Any]] = []
    for row in rows:  # ordered by creation, so replies keep chronological order
        node = nodes[row["id"]]
        parent = nodes.get(row["parent_id"]) if row["parent_id"] is not None else None
        if parent is not None:
            parent["replies"].append(node)
        elif row["parent_id"] is None:
            roots.append(node)
    return roots


def _node(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "post_id": row["post_id"], "parent_id": row["parent_id"],
            "author": author(row["author_id"], row["author_name"]), "content": row["content"],
            "is_approved": row["is_approved"], "is_deleted": row["is_deleted"], "created_at": row["created_at"],
            "replies": []}


def create(conn: Db, post_id: int, author: CurrentUser, comment: CommentIn) -> dict[str, Any]:
    """Add a comment (pending unless an admin wrote it); a reply notifies the parent's author."""
    post = published_post(conn, post_id)
    parent_id = comment.parent_id
    parent = _parent(conn, parent_id, post_id, author.id) if parent_id is not None else None
    row = conn.execute(
        "INSERT INTO comments (post_id, user_id, parent_id, content, is_approved)"
        " VALUES (%s, %s, %s, %s, %s) RETURNING id, post_id, parent_id, content, is_approved, created_at",
        (post_id, author.id, parent_id, comment.content, author.is_admin),
    ).fetchone()
    assert row is not None  # INSERT ... RETURNING yields the row
    if parent is not None and parent["user_id"] != author.id:
        # The reply's text is left out: it has not been moderated yet.
        notifications.notify(conn, parent["user_id"], "comment_reply",
                             f"{author.name} replied to your comment",
                             f"On \u201c{post['title']}\u201d", comment_link(post["slug"], row["id"]))
    return {**row, "author": {"id": author.id, "name": author.name}, "replies": []}


def _parent(conn: Db, parent_id: int, post_id: int, author_id: int) -> dict[str, Any]:
    parent = conn.execute(_PARENT_SQL, {"parent_id": parent_id, "max_depth": MAX_DEPTH}).fetchone()
    # A reply needs a parent on the same post that the replier can see.
    if parent is None or parent["post_id"] != post_id or parent["deleted_at"] is not None or not (
            parent["is_approved"] or parent["user_id"] == author_id):
        raise ValidationFailed([{"loc": ["body", "parent_id"], "msg": "parent comment not found on this post",
                                 "type": "value_error"}])
    if parent["depth"] >= MAX_DEPTH:
        raise ValidationFailed([{"loc": ["body", "parent_id"],
                                 "msg": f"replies nest at most {MAX_DEPTH} levels deep", "type": "value_error"}])
    return parent


TOMBSTONE = "[deleted]"
DELETED_AUTHOR = "Deleted user"


def author(user_id: int | None, name: str | None) -> dict[str, Any]:
    """A comment's author as shown; a deleted account shows as a placeholder with no id."""
    return {"id": user_id, "name": name if user_id is not None and name is not None else DELETED_AUTHOR}


def delete(conn: Db, comment_id: int, user: CurrentUser) -> None:
    """Delete one's own comment (an admin: any comment).

    A comment with replies becomes a tombstone (text gone, ``is_deleted``) so that other
    people's replies survive; one without replies is removed.
    """
    row = conn.execute(
        "SELECT id, parent_id FROM comments c WHERE id = %s AND (user_id = %s OR %s) AND deleted_at IS NULL"
        " FOR UPDATE", (comment_id, user.id, user.is_admin)).fetchone()
    if row is None:
        raise NotFound("comment not found")
    if _has_replies(conn, comment_id):
        conn.execute("UPDATE comments SET content = %s, deleted_at = now() WHERE id = %s", (TOMBSTONE, comment_id))
    else:
        conn.execute("DELETE FROM comments WHERE id = %s", (comment_id,))
        _prune_tombstones(conn, row["parent_id"])


def _has_replies(conn: Db, comment_id: int) -> bool:
    """Asked only once the comment is locked, in a statement of its own: a reply being written
    holds a key-share lock on its parent, so the lock waits for that reply's commit, and this
    statement's fresh snapshot then sees it (checked in the locking statement, it would not)."""
    row = conn.execute("SELECT EXISTS (SELECT 1 FROM comments WHERE parent_id = %s) AS yes", (comment_id,)).fetchone()
    return bool(row and row["yes"])


def erase_authored_by(conn: Db, user_id: int) -> None:
    """Before ``user_id``'s account is deleted: remove their words, keep other people's replies.

    Their comments with replies become tombstones with no author; the rest are deleted, and the
    tombstones that leaves without replies are pruned (as deleting one's own comment does).
    """
    # Locked first, so a reply being written to one of them is committed before they are looked at.
    conn.execute("SELECT id FROM comments WHERE user_id = %s ORDER BY id FOR UPDATE", (user_id,))
    conn.execute(
        "UPDATE comments c SET content = %s, deleted_at = coalesce(deleted_at, now()), user_id = NULL"
        " WHERE c.user_id = %s AND EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = c.id)",
        (TOMBSTONE, user_id))
    removed = conn.execute("DELETE FROM comments WHERE user_id = %s RETURNING parent_id", (user_id,)).fetchall()
    for parent_id in sorted({row["parent_id"] for row in removed if row["parent_id"] is not None}):
        _prune_tombstones(conn, parent_id)


def _prune_tombstones(conn: Db, comment_id: int | None) -> None:
    """Remove tombstones left with no replies, walking up (at most ``MAX_DEPTH`` levels)."""
    for _ in range(MAX_DEPTH):
        if comment_id is None:
            return
        removed = conn.execute(
            "DELETE FROM comments c WHERE c.id = %s AND c.deleted_at IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = c.id) RETURNING parent_id",
            (comment_id,)).fetchone()
        comment_id = removed["parent_id"] if removed else None
