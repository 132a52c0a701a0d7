"""Reading posts: the public list, one post by slug, and hydration of rows into the Post shape.

A page of posts costs a constant number of queries whatever its size: one for the page (posts
joined to their author and series, in an order an index provides), one for the tags of every
post on it, and at most one count.

Counting (``_total``). An exact ``count(*)`` of every matching post would grow with the table on
each list call, so the list never runs one:

- a short page is the last one: its total is known without counting;
- filtered by one tag only: the tag's maintained ``post_count`` (exact, one row);
- otherwise a capped count, ``count(*)`` over at most ``max(COUNT_CAP, offset + page_size + 1)``
  matching rows with no ORDER BY and no joins. ``total`` is exact up to the cap; past it, it is a
  lower bound that still tells a client another page exists.

The page query is this module's own (joins, hydration); the total comes from the shared
``layers.core.pagination.total`` with ``COUNT_CAP``.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from layers.core import pagination
from layers.core.db import Db
from layers.core.errors import NotFound, Redirect
from layers.core.identity import CurrentUser
from layers.schemas.post_parts import SLUG_RE
from layers.schemas.posts import PostListQuery
from layers.services import premium, reactions, redirects, tags

COUNT_CAP = 1000
SUMMARY_COLUMNS = """
    p.id, p.slug, p.title, p.excerpt, p.status, p.difficulty, p.is_premium, p.series_position,
    p.reading_time_minutes, p.view_count, p.published_at, p.updated_at,
    p.author_id, u.name AS author_name, p.series_id, s.slug AS series_slug, s.title AS series_title
"""
FROM = "posts p LEFT JOIN users u ON u.id = p.author_id LEFT JOIN series s ON s.id = p.series_id"
# Each order ends in the primary key (pages never overlap) and matches an index of 0003:
# posts_published_idx (forwards or backwards) and posts_popular_idx.
SORTS = {
    "newest": "p.published_at DESC, p.id DESC",
    "oldest": "p.published_at ASC, p.id ASC",
    "popular": "p.view_count DESC, p.id DESC",
}


def list_published(conn: Db, query: PostListQuery, full_access: bool) -> dict[str, Any]:
    """A page of published posts, filtered and sorted, gated for the caller."""
    where, params, tag = _filters(conn, query, full_access)
    page: dict[str, Any] = {"items": [], "total": 0, "page": query.page, "page_size": query.page_size}
    if tag is not None and tag.get("id") is None:
        return page  # unknown tag: nothing can match
    params.update(_limit=query.limit, _offset=query.offset)
    rows = conn.execute(
        f"SELECT {SUMMARY_COLUMNS} FROM {FROM} WHERE {where} ORDER BY {SORTS[query.sort]}"
        " LIMIT %(_limit)s OFFSET %(_offset)s", params).fetchall()
    only_tag = tag is not None and not (query.series or query.difficulty or query.q)
    known = tag["post_count"] if tag is not None and only_tag else None
    page["total"] = _total(conn, query, where, params, len(rows), known)
    page["items"] = [premium.gate(row, full_access) for row in hydrate(conn, rows)]
    return page


def _filters(conn: Db, query: PostListQuery, full_access: bool) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
    where = ["p.status = 'published'"]
    params: dict[str, Any] = {}
    tag: dict[str, Any] | None = None
    if query.tag:
        # Resolved first so the planner sees a constant id and can use that tag's statistics.
        tag = tags.by_slug(conn, query.tag) or {}
        params["tag_id"] = tag.get("id")
        where.append("EXISTS (SELECT 1 FROM post_tags pt WHERE pt.post_id = p.id AND pt.tag_id = %(tag_id)s)")
    if query.series:
        params["series"] = query.series
        where.append("p.series_id = (SELECT id FROM series WHERE slug = %(series)s)")
    if query.difficulty:
        params["difficulty"] = query.difficulty
        where.append("p.difficulty = %(difficulty)s")
    if query.q:
        # Without full access a premium post matches on its title and excerpt only, as in search:
        # a filter must not reveal which paid bodies contain a word.
        params["q"] = query.q
        where.append(premium.text_match_sql(full_access))
    return " AND ".join(where), params, tag


def _total(conn: Db, query: PostListQuery, where: str, params: dict[str, Any], returned: int,
           known: int | None) -> int:
    if known is not None and not pagination.is_last_page(query, returned):
        return known
    # Counted without the joins and ORDER BY of the page query.
    return pagination.total(conn, f"SELECT 1 FROM posts p WHERE {where}", params, query, returned, COUNT_CAP)


def get_visible(conn: Db, slug: str, user: CurrentUser | None) -> dict[str, Any]:
    """One post for this caller: published (drafts for admins), gated; 301 for an old slug."""
    row = None
    if SLUG_RE.fullmatch(slug):
        row = conn.execute(f"SELECT {SUMMARY_COLUMNS}, p.content FROM {FROM} WHERE p.slug = %s",
                           (slug,)).fetchone()
        if row is None and (target := redirects.resolve(conn, slug)):
            raise Redirect(f"/api/posts/{target}")
    is_admin = bool(user and user.is_admin)
    if row is None or (row["status"] != "published" and not is_admin):
        raise NotFound("post not found")
    post = hydrate(conn, [row])[0]
    post["reactions"] = reactions.counts(conn, post["id"])
    post["my_reaction"] = reactions.mine(conn, post["id"], user.id) if user else None
    return premium.gate(post, premium.has_full_access(user))


def get_for_admin(conn: Db, post_id: int) -> dict[str, Any]:
    """Any post by id, ungated (admin responses to writes)."""
    row = conn.execute(f"SELECT {SUMMARY_COLUMNS}, p.content FROM {FROM} WHERE p.id = %s", (post_id,)).fetchone()
    if row is None:
        raise NotFound("post not found")
    post = hydrate(conn, [row])[0]
    post["reactions"] = reactions.counts(conn, post_id)
    return premium.gate(post, full_access=True)


def published_by_ids(conn: Db, ids: list[int], with_content: bool = False) -> dict[int, dict[str, Any]]:
    """Published posts by id, hydrated but NOT gated: the caller gates them."""
    if not ids:
        return {}
    extra = ", p.content" if with_content else ""
    rows = conn.execute(
        f"SELECT {SUMMARY_COLUMNS}{extra} FROM {FROM} WHERE p.id = ANY(%s) AND p.status = 'published'",
        (ids,),
    ).fetchall()
    return {post["id"]: post for post in hydrate(conn, rows)}


def latest_published(conn: Db, limit: int) -> list[dict[str, Any]]:
    """The newest published posts with their content, hydrated but NOT gated."""
    rows = conn.execute(
        f"SELECT {SUMMARY_COLUMNS}, p.content FROM {FROM} WHERE p.status = 'published'"
        " ORDER BY p.published_at DESC, p.id DESC LIMIT %s",
        (limit,),
    ).fetchall()
    return hydrate(conn, rows)


def hydrate(conn: Db, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of ``SUMMARY_COLUMNS`` in the Post shape, with their tags (one query for all)."""
    rows = list(rows)
    by_post: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if rows:
        for tag in conn.execute(
            "SELECT pt.post_id, t.id, t.name, t.slug, t.post_count FROM post_tags pt"
            " JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = ANY(%s) ORDER BY t.name",
            ([r["id"] for r in rows],),
        ):
            by_post[tag.pop("post_id")].append(tag)
    return [_shape(row, by_post[row["id"]]) for row in rows]


def _shape(row: dict[str, Any], post_tags: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(row)
    author_id, author_name = out.pop("author_id"), out.pop("author_name")
    series_id, series_slug, series_title = out.pop("series_id"), out.pop("series_slug"), out.pop("series_title")
    out["author"] = {"id": author_id, "name": author_name} if author_id is not None else None
    out["series"] = {"id": series_id, "slug": series_slug, "title": series_title} if series_id is not None else None
    out["tags"] = post_tags
    return out
