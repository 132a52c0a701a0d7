"""Writing posts (admin): create, partial update, delete, publish toggle.

Side effects that follow a write happen in the caller's transaction too: tag counts are recounted,
a slug change records a redirect, a change to what search indexes (publishing, or the title or
body of a published post) queues ``embed_post`` through the outbox, and a change
readers can see queues the paths it touched for revalidation (``layers.services.revalidation``).
"""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.errors import NotFound, ValidationFailed
from layers.core.sql import update_row
from layers.schemas.posts import PostCreate, PostUpdate
from layers.services import redirects, revalidation, series, slugs, tags
from layers.services.chunking import reading_time_minutes
from layers.tasks import outbox

_PLAIN_FIELDS = ("title", "excerpt", "content", "difficulty", "is_premium")
# What the chunks are built from. Not ``is_premium``: who may read a chunk is decided by its post at
# query time, so a premium flip needs no rebuild.
_INDEXED_FIELDS = frozenset({"title", "content"})


def create(conn: Db, author_id: int, post: PostCreate) -> int:
    """Insert a post; returns its id."""
    with slugs.conflicts_as_409(conn):
        slug = post.slug or slugs.available(conn, "posts", slugs.slugify(post.title, "post"))
        tag_ids = tags.resolve_refs(conn, post.tags, ("body", "tags"))
        series_id = series.resolve_ref(conn, post.series, ("body", "series"))
        position = _position(conn, series_id, post.series_position)
        redirects.reclaim(conn, slug)
        row = conn.execute(
            "INSERT INTO posts (slug, title, excerpt, content, status, difficulty, is_premium, series_id,"
            " series_position, author_id, reading_time_minutes, published_at)"
            " VALUES (%(slug)s, %(title)s, %(excerpt)s, %(content)s, %(status)s, %(difficulty)s,"
            " %(is_premium)s, %(series_id)s, %(position)s, %(author_id)s, %(minutes)s,"
            " CASE WHEN %(status)s = 'published' THEN now() END) RETURNING id",
            {"slug": slug, "title": post.title, "excerpt": post.excerpt, "content": post.content,
             "status": post.status, "difficulty": post.difficulty, "is_premium": post.is_premium,
             "series_id": series_id, "position": position, "author_id": author_id,
             "minutes": reading_time_minutes(post.content)},
        ).fetchone()
        assert row is not None  # INSERT ... RETURNING yields the row
        post_id: int = row["id"]
        _set_tags(conn, post_id, tag_ids)
        tags.refresh_counts(conn, tag_ids)
    if post.status == "published":
        outbox.enqueue(conn, "embed_post", {"post_id": post_id})
    revalidation.post_changed(conn, post_id, None)
    return post_id


def update(conn: Db, post_id: int, patch: PostUpdate) -> None:
    """Apply the fields the caller sent; ``series: null`` takes the post out of its series."""
    changes = patch.changes()
    current = _lock(conn, post_id)
    before = revalidation.post_state(conn, post_id)
    sets = {k: changes[k] for k in _PLAIN_FIELDS if k in changes}
    if "content" in changes:
        sets["reading_time_minutes"] = reading_time_minutes(changes["content"])
    renamed = "slug" in changes and changes["slug"] != current["slug"]
    with slugs.conflicts_as_409(conn):
        if renamed:
            sets["slug"] = changes["slug"]
            redirects.reclaim(conn, changes["slug"])
        sets.update(_series_changes(conn, current, changes))
        if sets:
            update_row(conn, "posts", sets, {"id": post_id})
        if renamed:
            redirects.record(conn, current["slug"], changes["slug"])
        if "tags" in changes:
            _replace_tags(conn, post_id, changes["tags"])
    if current["status"] == "published" and _INDEXED_FIELDS & set(changes):
        outbox.enqueue(conn, "embed_post", {"post_id": post_id})
    revalidation.post_changed(conn, post_id, before)


def delete(conn: Db, post_id: int) -> None:
    tag_ids = tags.tag_ids_of(conn, post_id)
    before = revalidation.post_state(conn, post_id)
    row = conn.execute("DELETE FROM posts WHERE id = %s RETURNING slug", (post_id,)).fetchone()
    if row is None:
        raise NotFound("post not found")
    redirects.drop_to(conn, row["slug"])
    tags.refresh_counts(conn, tag_ids)
    revalidation.post_changed(conn, post_id, before)


def toggle_publish(conn: Db, post_id: int) -> str:
    """Draft becomes published (dated now the first time) and back; returns the new status.

    Both directions queue ``embed_post``: publishing builds the post's search chunks and
    unpublishing removes them, so Ask AI never cites a draft.
    """
    _lock(conn, post_id)
    before = revalidation.post_state(conn, post_id)
    row = conn.execute(
        "UPDATE posts SET status = CASE status WHEN 'draft' THEN 'published' ELSE 'draft' END,"
        " published_at = CASE WHEN status = 'draft' THEN coalesce(published_at, now()) ELSE published_at END,"
        " updated_at = now() WHERE id = %s RETURNING status",
        (post_id,),
    ).fetchone()
    assert row is not None  # the row is locked above
    tags.refresh_counts(conn, tags.tag_ids_of(conn, post_id))
    outbox.enqueue(conn, "embed_post", {"post_id": post_id})
    revalidation.post_changed(conn, post_id, before)
    status: str = row["status"]
    return status


def _lock(conn: Db, post_id: int) -> dict[str, Any]:
    row = conn.execute("SELECT id, slug, status, series_id, series_position FROM posts WHERE id = %s FOR UPDATE",
                       (post_id,)).fetchone()
    if row is None:
        raise NotFound("post not found")
    return row


def _set_tags(conn: Db, post_id: int, tag_ids: list[int]) -> None:
    if tag_ids:
        conn.execute("INSERT INTO post_tags (post_id, tag_id) SELECT %s, unnest(%s::bigint[])", (post_id, tag_ids))


def _replace_tags(conn: Db, post_id: int, refs: list[int | str]) -> None:
    before = tags.tag_ids_of(conn, post_id)
    after = tags.resolve_refs(conn, refs, ("body", "tags"))
    conn.execute("DELETE FROM post_tags WHERE post_id = %s", (post_id,))
    _set_tags(conn, post_id, after)
    tags.refresh_counts(conn, [*before, *after])


def _series_changes(conn: Db, current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    if "series" not in changes and "series_position" not in changes:
        return {}
    series_id = (series.resolve_ref(conn, changes["series"], ("body", "series"))
                 if "series" in changes else current["series_id"])
    if series_id is None:
        position = _position(conn, None, changes.get("series_position"))
    elif "series_position" in changes:
        # An explicit null keeps the post in the series without a place in its order.
        position = changes["series_position"]
    elif series_id == current["series_id"]:
        position = current["series_position"]
    else:
        position = _position(conn, series_id, None)
    return {"series_id": series_id, "series_position": position}


def _position(conn: Db, series_id: int | None, position: int | None) -> int | None:
    """The position to store: as given, or the end of the series; 422 for a position without one."""
    if series_id is None:
        if position is not None:
            raise ValidationFailed([{"loc": ["body", "series_position"], "msg": "a position needs a series",
                                     "type": "value_error"}])
        return None
    if position is not None:
        return position
    row = conn.execute("SELECT coalesce(max(series_position), 0) + 1 AS n FROM posts WHERE series_id = %s",
                       (series_id,)).fetchone()
    assert row is not None  # an aggregate always yields a row
    end: int = row["n"]
    return end
