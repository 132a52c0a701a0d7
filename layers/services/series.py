"""Series: ordered collections of posts, the reader's progress through one, and navigation.

Only published posts appear in a series' public view; the order is ``series_position`` (posts
without a position come last, oldest first).
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from layers.core.db import Db
from layers.core.errors import NotFound, ValidationFailed
from layers.core.pagination import PageQuery, paginate
from layers.core.sql import update_row
from layers.schemas.post_parts import SLUG_RE
from layers.schemas.series import SeriesCreate, SeriesUpdate
from layers.services import progress, revalidation, slugs

_COLUMNS = "s.id, s.slug, s.title, s.description, s.created_at, s.updated_at"
_POST_ORDER = "p.series_position ASC NULLS LAST, p.published_at ASC, p.id ASC"


def list_page(conn: Db, query: PageQuery) -> dict[str, Any]:
    page = paginate(conn, f"SELECT {_COLUMNS} FROM series s", {}, query, "title ASC, id ASC")
    page["items"] = _with_posts(conn, page["items"])
    return page


def get_by_slug(conn: Db, slug: str, user_id: int | None) -> dict[str, Any]:
    # A path value that cannot be a slug (it may hold anything, even NUL) is simply not found.
    row = None
    if SLUG_RE.fullmatch(slug):
        row = conn.execute(f"SELECT {_COLUMNS} FROM series s WHERE s.slug = %s", (slug,)).fetchone()
    if row is None:
        raise NotFound("series not found")
    out = _with_posts(conn, [row])[0]
    out["progress"] = _progress(conn, user_id, row["id"]) if user_id else None
    return out


def get(conn: Db, series_id: int) -> dict[str, Any]:
    row = conn.execute(f"SELECT {_COLUMNS} FROM series s WHERE s.id = %s", (series_id,)).fetchone()
    if row is None:
        raise NotFound("series not found")
    return _with_posts(conn, [row])[0]


def navigation(conn: Db, slug: str, post_slug: str) -> dict[str, Any]:
    """The published posts before and after ``post_slug`` in the series."""
    posts = get_by_slug(conn, slug, None)["posts"]
    index = next((i for i, p in enumerate(posts) if p["slug"] == post_slug), None)
    if index is None:
        raise NotFound("post not found in this series")
    return {"previous": posts[index - 1] if index > 0 else None,
            "next": posts[index + 1] if index + 1 < len(posts) else None}


def create(conn: Db, series: SeriesCreate) -> dict[str, Any]:
    with slugs.conflicts_as_409(conn):
        slug = series.slug or slugs.available(conn, "series", slugs.slugify(series.title, "series"))
        row = conn.execute("INSERT INTO series (slug, title, description) VALUES (%s, %s, %s) RETURNING id",
                           (slug, series.title, series.description)).fetchone()
    assert row is not None  # INSERT ... RETURNING yields the row
    revalidation.series_changed(conn, row["id"], None)
    return get(conn, row["id"])


def update(conn: Db, series_id: int, patch: SeriesUpdate) -> dict[str, Any]:
    before = revalidation.series_state(conn, series_id)
    with slugs.conflicts_as_409(conn):
        row = update_row(conn, "series", patch.changes(), {"id": series_id})
    if row is None:
        raise NotFound("series not found")
    revalidation.series_changed(conn, series_id, before)
    return get(conn, series_id)


def delete(conn: Db, series_id: int) -> None:
    """Delete the series; its posts stay, outside any series."""
    before = revalidation.series_state(conn, series_id)
    conn.execute("UPDATE posts SET series_position = NULL WHERE series_id = %s", (series_id,))
    if conn.execute("DELETE FROM series WHERE id = %s RETURNING id", (series_id,)).fetchone() is None:
        raise NotFound("series not found")
    revalidation.series_changed(conn, series_id, before)


def resolve_ref(conn: Db, ref: int | str | None, loc: tuple[str, ...]) -> int | None:
    """The id of a series named by id or slug (None stays None); 422 when unknown."""
    if ref is None:
        return None
    column = "id" if isinstance(ref, int) else "slug"
    row = conn.execute(f"SELECT id FROM series WHERE {column} = %s", (ref,)).fetchone()
    if row is None:
        raise ValidationFailed([{"loc": list(loc), "msg": f"unknown series: {ref}", "type": "value_error"}])
    series_id: int = row["id"]
    return series_id


def _with_posts(conn: Db, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_series: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if rows:
        for post in conn.execute(
            "SELECT p.series_id, p.id, p.slug, p.title, p.series_position AS position FROM posts p"
            f" WHERE p.series_id = ANY(%s) AND p.status = 'published' ORDER BY p.series_id, {_POST_ORDER}",
            ([r["id"] for r in rows],),
        ):
            by_series[post.pop("series_id")].append(post)
    return [{**row, "posts": by_series[row["id"]], "post_count": len(by_series[row["id"]])} for row in rows]


def _progress(conn: Db, user_id: int, series_id: int) -> dict[str, Any]:
    done = progress.series_completion(conn, user_id, series_id)
    return {"completed": len(done.read_ids), "total": done.total, "percent": done.percent(1),
            "completed_post_ids": done.read_ids}
