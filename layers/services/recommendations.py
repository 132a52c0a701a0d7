"""Post recommendations: related to what the reader read, or popular.

Personalised (a signed-in reader with reads): published posts the reader has not read that share
tags or a series with posts they read. ``score`` = number of distinct shared tags + 1 when the post
is in a series the reader has read from; ranked by score, then newest first.

Popular (anonymous callers, readers with no reads, or readers with no related unread post left):
published posts ranked by views in the last 30 days (``post_views``), ties broken by the all-time
``posts.view_count``, then newest first; a signed-in reader's read posts are left out.
"""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.pagination import PageQuery, paginate
from layers.services.post_summaries import summaries

POPULAR_WINDOW_DAYS = 30

# Candidates come only from tags and series the reader touched, so the work scales with their
# reading, not with the catalogue.
_PERSONALISED_SQL = """
WITH reads AS (
    SELECT post_id FROM user_progress WHERE user_id = %(uid)s
), matches AS (
    SELECT pt.post_id, count(DISTINCT pt.tag_id) AS n
    FROM post_tags pt
    WHERE pt.tag_id IN (SELECT rt.tag_id FROM post_tags rt JOIN reads r ON r.post_id = rt.post_id)
    GROUP BY pt.post_id
    UNION ALL
    SELECT p.id, 1 FROM posts p
    WHERE p.series_id IN (SELECT rp.series_id FROM posts rp JOIN reads r ON r.post_id = rp.id)
), scored AS (
    SELECT post_id, sum(n)::int AS score FROM matches GROUP BY post_id
)
SELECT p.id, p.published_at, sc.score
FROM scored sc JOIN posts p ON p.id = sc.post_id
WHERE p.status = 'published' AND NOT EXISTS (SELECT 1 FROM reads r WHERE r.post_id = p.id)
"""

_POPULAR_SQL = """
WITH recent AS (
    SELECT post_id, count(*)::int AS n FROM post_views
    WHERE viewed_at >= now() - make_interval(days => %(days)s)
    GROUP BY post_id
)
SELECT p.id, p.published_at, p.view_count, coalesce(rv.n, 0) AS score
FROM posts p LEFT JOIN recent rv ON rv.post_id = p.id
WHERE p.status = 'published'
  AND NOT EXISTS (SELECT 1 FROM user_progress up WHERE up.user_id = %(uid)s AND up.post_id = p.id)
"""


def recommend(conn: Db, user_id: int | None, full_access: bool, query: PageQuery) -> dict[str, Any]:
    page, strategy = None, "popular"
    if user_id is not None:
        page = paginate(conn, _PERSONALISED_SQL, {"uid": user_id}, query, "score DESC, published_at DESC, id DESC")
        if page["total"]:
            strategy = "personalised"
    if page is None or strategy == "popular":
        page = paginate(conn, _POPULAR_SQL, {"uid": user_id, "days": POPULAR_WINDOW_DAYS}, query,
                        "score DESC, view_count DESC, published_at DESC, id DESC")
    found = summaries(conn, [row["id"] for row in page["items"]], full_access)
    page["items"] = [found[row["id"]] | {"score": row["score"]} for row in page["items"] if row["id"] in found]
    return {**page, "strategy": strategy}
