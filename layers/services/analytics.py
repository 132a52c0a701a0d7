"""Admin analytics over a date range: site totals and per-post activity.

A range is whole UTC days, ``start`` to ``end`` inclusive, queried as the half-open interval
``[start 00:00, end + 1 day 00:00)`` so every count walks a time index
(``post_views_time_idx``, ``user_progress_time_idx``, ``users_created_idx``, ``comments_created_idx``,
``post_reactions_created_idx``, ``posts_published_idx``).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from layers.core.db import Db
from layers.core.pagination import paginate
from layers.schemas.admin_analytics import DateRangeQuery, PostAnalyticsQuery

_OVERVIEW_SQL = """
SELECT
    (SELECT count(*) FROM users WHERE created_at < %(end)s) AS users,
    (SELECT count(*) FROM users WHERE created_at >= %(start)s AND created_at < %(end)s) AS new_users,
    (SELECT count(*) FROM posts WHERE status = 'published' AND published_at < %(end)s) AS posts,
    (SELECT count(*) FROM posts
     WHERE status = 'published' AND published_at >= %(start)s AND published_at < %(end)s) AS new_posts,
    (SELECT count(*) FROM post_views WHERE viewed_at >= %(start)s AND viewed_at < %(end)s) AS views,
    (SELECT count(*) FROM user_progress WHERE completed_at >= %(start)s AND completed_at < %(end)s) AS reads,
    (SELECT count(*) FROM post_reactions WHERE created_at >= %(start)s AND created_at < %(end)s) AS reactions,
    (SELECT count(*) FROM comments WHERE created_at >= %(start)s AND created_at < %(end)s) AS comments
"""

# Each activity is aggregated once over the range, then joined to every post (idle posts show 0).
_PER_POST_SQL = """
WITH v AS (
    SELECT post_id, count(*) AS n FROM post_views
    WHERE viewed_at >= %(start)s AND viewed_at < %(end)s GROUP BY post_id
), r AS (
    SELECT post_id, count(*) AS n FROM user_progress
    WHERE completed_at >= %(start)s AND completed_at < %(end)s GROUP BY post_id
), x AS (
    SELECT post_id, count(*) AS n FROM post_reactions
    WHERE created_at >= %(start)s AND created_at < %(end)s GROUP BY post_id
), c AS (
    SELECT post_id, count(*) AS n FROM comments
    WHERE created_at >= %(start)s AND created_at < %(end)s GROUP BY post_id
)
SELECT p.id AS post_id, p.slug, p.title, p.status,
       coalesce(v.n, 0) AS views, coalesce(r.n, 0) AS reads,
       coalesce(x.n, 0) AS reactions, coalesce(c.n, 0) AS comments
FROM posts p
LEFT JOIN v ON v.post_id = p.id LEFT JOIN r ON r.post_id = p.id
LEFT JOIN x ON x.post_id = p.id LEFT JOIN c ON c.post_id = p.id
"""

# Constant ORDER BY clauses chosen by the validated ``sort`` value.
_ORDER = {
    "views": "views DESC, reads DESC, post_id DESC",
    "reads": "reads DESC, views DESC, post_id DESC",
    "reactions": "reactions DESC, views DESC, post_id DESC",
    "comments": "comments DESC, views DESC, post_id DESC",
}


def _bounds(start: date, end: date) -> dict[str, datetime]:
    return {"start": datetime.combine(start, time.min, tzinfo=timezone.utc),
            "end": datetime.combine(end + timedelta(days=1), time.min, tzinfo=timezone.utc)}


def overview(conn: Db, query: DateRangeQuery) -> dict[str, Any]:
    row = conn.execute(_OVERVIEW_SQL, _bounds(query.start, query.end)).fetchone()
    assert row is not None  # a SELECT of aggregates always yields one row
    return {"start": query.start, "end": query.end, **row}


def per_post(conn: Db, query: PostAnalyticsQuery) -> dict[str, Any]:
    return paginate(conn, _PER_POST_SQL, _bounds(query.start, query.end), query, _ORDER[query.sort])
