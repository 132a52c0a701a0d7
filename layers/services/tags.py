"""Tags: listing with published-post counts, management, merging, and resolving references.

``tags.post_count`` is kept in the row (migration 0200) rather than counted per request: every
post embeds its tags with their counts, and counting a popular tag's posts on each list call would
grow with the table. Every write that can change a count (post create/update/publish/delete,
merge) calls ``refresh_counts`` for the tags it touched, in the same transaction; the refresh
recounts from scratch, so a count can never drift.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from layers.core.db import Db
from layers.core.errors import BadRequest, NotFound, ValidationFailed
from layers.core.pagination import paginate
from layers.core.sql import update_row
from layers.schemas.tags import TagCreate, TagListQuery, TagMerge, TagUpdate
from layers.services import revalidation, slugs

_COLUMNS = "id, name, slug, post_count"
_SORTS = {"name": "name ASC, id ASC", "popular": "post_count DESC, name ASC, id ASC"}


def list_page(conn: Db, query: TagListQuery) -> dict[str, Any]:
    return paginate(conn, f"SELECT {_COLUMNS} FROM tags", {}, query, _SORTS[query.sort])


def get(conn: Db, tag_id: int) -> dict[str, Any]:
    row = conn.execute(f"SELECT {_COLUMNS} FROM tags WHERE id = %s", (tag_id,)).fetchone()
    if row is None:
        raise NotFound("tag not found")
    return row


def by_slug(conn: Db, slug: str) -> dict[str, Any] | None:
    return conn.execute(f"SELECT {_COLUMNS} FROM tags WHERE slug = %s", (slug,)).fetchone()


def create(conn: Db, tag: TagCreate) -> dict[str, Any]:
    with slugs.conflicts_as_409(conn):
        row = conn.execute(
            f"INSERT INTO tags (name, slug) VALUES (%s, %s) RETURNING {_COLUMNS}",
            (tag.name, tag.slug or slugs.available(conn, "tags", slugs.slugify(tag.name, "tag"))),
        ).fetchone()
    assert row is not None  # INSERT ... RETURNING yields the row
    revalidation.tag_changed(conn, row["id"], [])
    return row


def update(conn: Db, tag_id: int, patch: TagUpdate) -> dict[str, Any]:
    changes = patch.changes()
    if not changes:  # tags have no updated_at to touch, and an empty SET is not SQL
        return get(conn, tag_id)
    before = revalidation.tag_state(conn, tag_id)
    with slugs.conflicts_as_409(conn):
        row = update_row(conn, "tags", changes, {"id": tag_id}, returning=_COLUMNS.split(", "), touch=None)
    if row is None:
        raise NotFound("tag not found")
    revalidation.tag_changed(conn, tag_id, [before])
    return row


def delete(conn: Db, tag_id: int) -> None:
    before = revalidation.tag_state(conn, tag_id)
    if conn.execute("DELETE FROM tags WHERE id = %s RETURNING id", (tag_id,)).fetchone() is None:
        raise NotFound("tag not found")
    revalidation.tag_changed(conn, tag_id, [before])


def merge(conn: Db, spec: TagMerge) -> dict[str, Any]:
    """Move every post of the sources to the target and delete the sources, atomically."""
    sources, target_id = sorted(set(spec.source_ids)), spec.target_id
    if target_id in sources:
        raise BadRequest("the target cannot also be a source")
    # Posts before tags, as a post edit locks them (its post, then its tags): taken the other way
    # round, a merge and an edit of one of its posts would each wait for the other. Each kind in id
    # order, so two merges over the same tags cannot deadlock either.
    conn.execute("SELECT p.id FROM posts p WHERE EXISTS (SELECT 1 FROM post_tags pt WHERE pt.post_id = p.id"
                 " AND pt.tag_id = ANY(%s)) ORDER BY p.id FOR NO KEY UPDATE", ([*sources, target_id],))
    locked = {r["id"] for r in conn.execute(
        "SELECT id FROM tags WHERE id = ANY(%s) ORDER BY id FOR UPDATE", ([*sources, target_id],))}
    if target_id not in locked:
        raise NotFound("target tag not found")
    missing = [s for s in sources if s not in locked]
    if missing:
        raise NotFound(f"source tag(s) not found: {', '.join(map(str, missing))}")
    before = [revalidation.tag_state(conn, t) for t in [*sources, target_id]]
    conn.execute(
        "INSERT INTO post_tags (post_id, tag_id) SELECT DISTINCT post_id, %s FROM post_tags"
        " WHERE tag_id = ANY(%s) ON CONFLICT DO NOTHING",
        (target_id, sources),
    )
    conn.execute("DELETE FROM tags WHERE id = ANY(%s)", (sources,))  # post_tags rows cascade
    refresh_counts(conn, [target_id])
    revalidation.tag_changed(conn, target_id, before)
    return get(conn, target_id)


def refresh_counts(conn: Db, tag_ids: Iterable[int] | None = None) -> None:
    """Recount published posts for ``tag_ids`` (every tag when None).

    The tags' rows are locked first (in id order, so writers never wait on each other in a
    cycle), and the count is a separate statement: under READ COMMITTED it then sees every
    post committed by a writer that held the lock before, so the last writer's count is right.
    Counted in one statement without the lock, two posts tagged at once would each count without
    the other and the later commit would keep a count one short.
    """
    ids = None if tag_ids is None else sorted(set(tag_ids))
    if ids == []:
        return
    conn.execute("SELECT id FROM tags WHERE %(ids)s::bigint[] IS NULL OR id = ANY(%(ids)s::bigint[])"
                 " ORDER BY id FOR NO KEY UPDATE", {"ids": ids})
    conn.execute(
        "UPDATE tags t SET post_count = c.n FROM ("
        "  SELECT t2.id, count(p.id) AS n FROM tags t2"
        "  LEFT JOIN post_tags pt ON pt.tag_id = t2.id"
        "  LEFT JOIN posts p ON p.id = pt.post_id AND p.status = 'published'"
        "  WHERE %(ids)s::bigint[] IS NULL OR t2.id = ANY(%(ids)s::bigint[])"
        "  GROUP BY t2.id) c"
        " WHERE t.id = c.id AND t.post_count IS DISTINCT FROM c.n",
        {"ids": ids},
    )


def tag_ids_of(conn: Db, post_id: int) -> list[int]:
    return [r["tag_id"] for r in conn.execute("SELECT tag_id FROM post_tags WHERE post_id = %s", (post_id,))]


def resolve_refs(conn: Db, refs: Sequence[int | str], loc: tuple[str, ...]) -> list[int]:
    """Tag ids for ids or slugs, in the given order without repeats; 422 naming unknown ones."""
    ids = [r for r in refs if isinstance(r, int)]
    names = [r for r in refs if isinstance(r, str)]
    found = conn.execute("SELECT id, slug FROM tags WHERE id = ANY(%s) OR slug = ANY(%s)", (ids, names)).fetchall()
    by_id = {r["id"]: r["id"] for r in found}
    by_slug = {r["slug"]: r["id"] for r in found}
    out: list[int] = []
    errors = []
    for i, ref in enumerate(refs):
        tag_id = by_id.get(ref) if isinstance(ref, int) else by_slug.get(ref)
        if tag_id is None:
            errors.append({"loc": [*loc, i], "msg": f"unknown tag: {ref}", "type": "value_error"})
        elif tag_id not in out:
            out.append(tag_id)
    if errors:
        raise ValidationFailed(errors)
    return out
