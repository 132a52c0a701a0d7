"""Content fixtures for the reader and admin tests, written straight to the database.

Posts are plain rows here so these tests do not depend on the posts router.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any


def _connect(target: Any) -> Any:
    import psycopg
    from psycopg.rows import dict_row

    url = target if isinstance(target, str) else target["DATABASE_URL"]
    return psycopg.connect(url, autocommit=True, row_factory=dict_row)


def sql(target: Any, query: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
    """Run one statement (``target``: the ``stack`` fixture or a database URL); rows if any."""
    with _connect(target) as conn:
        cur = conn.execute(query, params)
        return cur.fetchall() if cur.description else []


def make_series(target: Any, slug: str, title: str | None = None) -> int:
    rows = sql(target, "INSERT INTO series (slug, title) VALUES (%s, %s)"
                       " ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug RETURNING id",
               (slug, title or slug.replace("-", " ").title()))
    return rows[0]["id"]


def make_tag(target: Any, slug: str) -> int:
    rows = sql(target, "INSERT INTO tags (slug, name) VALUES (%s, %s)"
                       " ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug RETURNING id",
               (slug, slug.replace("-", " ").title()))
    return rows[0]["id"]


def make_post(target: Any, slug: str, *, title: str | None = None, status: str = "published",
              is_premium: bool = False, tags: Iterable[str] = (), series: str | None = None,
              series_position: int | None = None, published_at: datetime | None = None,
              view_count: int = 0, author_id: int | None = None, excerpt: str = "An excerpt.",
              content: str = "The full body of the post.") -> int:
    """Insert a post (tags and series by slug, created when missing); returns its id."""
    series_id = make_series(target, series) if series else None
    if status == "published" and published_at is None:
        published_at = datetime.now(timezone.utc)
    post_id = sql(target, """
        INSERT INTO posts (slug, title, excerpt, content, status, is_premium, series_id, series_position,
                           author_id, view_count, published_at)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id""",
                  (slug, title or slug.replace("-", " ").title(), excerpt, content, status, is_premium,
                   series_id, series_position, author_id, view_count, published_at))[0]["id"]
    for tag in tags:
        sql(target, "INSERT INTO post_tags (post_id, tag_id) VALUES (%s, %s)", (post_id, make_tag(target, tag)))
    return post_id


def add_view(target: Any, post_id: int, *, client: str = "client", at: datetime | None = None) -> None:
    at = at or datetime.now(timezone.utc)
    sql(target, "INSERT INTO post_views (post_id, client_hash, hour_bucket, viewed_at)"
                " VALUES (%s, %s, date_trunc('hour', %s::timestamptz), %s)", (post_id, client, at, at))


def make_subscription(target: Any, user_id: int) -> None:
    """Make a user premium: an active subscription with no end date."""
    sql(target, "INSERT INTO subscriptions (user_id, status, plan, state_as_of)"
                " VALUES (%s, 'active', 'monthly', now())", (user_id,))
