"""Reading progress: posts marked read, per-series completion, totals; reading earns XP once.

Series completion is computed in one place, ``series_completion``, for both views of it: the
progress router's and the one embedded in ``GET /api/series/{slug}``. Percentages are rounded
down (``percent_down``), so a series never shows 100 before its last post is read.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from layers.core.db import Db
from layers.core.errors import Forbidden, NotFound
from layers.core.pagination import PageQuery, paginate
from layers.services import premium
from layers.services.gamification import awards
from layers.services.post_summaries import with_summaries
from layers.services.published import published_post

READ_XP = 10

_READ_SQL = """
SELECT up.post_id AS id, up.completed_at, up.read_time_spent
FROM user_progress up JOIN posts p ON p.id = up.post_id
WHERE up.user_id = %(uid)s AND p.status = 'published'
"""

# A series' published posts in reading order (positionless posts last, oldest first), each with
# the reader's completion time or null.
_SERIES_POSTS_SQL = """
SELECT p.id, p.slug, p.title, p.series_position AS position, p.is_premium, up.completed_at
FROM posts p LEFT JOIN user_progress up ON up.post_id = p.id AND up.user_id = %(uid)s
WHERE p.series_id = %(sid)s AND p.status = 'published'
ORDER BY p.series_position ASC NULLS LAST, p.published_at ASC, p.id ASC
"""

# A series counts as completed when it has published posts and every one of them is read.
_STATS_SQL = """
WITH per_series AS (
    SELECT p.series_id, count(*) AS total, count(up.post_id) AS read
    FROM posts p LEFT JOIN user_progress up ON up.post_id = p.id AND up.user_id = %(uid)s
    WHERE p.status = 'published' AND p.series_id IS NOT NULL
    GROUP BY p.series_id
)
SELECT
    (SELECT count(*) FROM user_progress up JOIN posts p ON p.id = up.post_id
     WHERE up.user_id = %(uid)s AND p.status = 'published') AS posts_read,
    (SELECT coalesce(sum(read_time_spent), 0) FROM user_progress WHERE user_id = %(uid)s)
        AS total_read_time_seconds,
    (SELECT count(*) FROM per_series WHERE read = total) AS series_completed,
    (SELECT count(*) FROM per_series WHERE read > 0 AND read < total) AS series_in_progress,
    u.xp, u.level
FROM users u WHERE u.id = %(uid)s
"""


@dataclass(frozen=True)
class SeriesCompletion:
    """A reader's progress through one series: its published posts in order, read or not."""

    posts: list[dict[str, Any]]  # id, slug, title, position, is_premium, completed_at

    @property
    def read_ids(self) -> list[int]:
        return [p["id"] for p in self.posts if p["completed_at"] is not None]

    @property
    def total(self) -> int:
        return len(self.posts)

    @property
    def completed(self) -> bool:
        return self.total > 0 and len(self.read_ids) == self.total

    def percent(self, places: int) -> float:
        return percent_down(len(self.read_ids), self.total, places)


def percent_down(part: int, whole: int, places: int) -> float:
    """``100 * part / whole`` rounded down to ``places`` decimals (0 for an empty whole)."""
    if whole <= 0:
        return 0.0
    scale: int = 10 ** places
    return (100 * scale * part // whole) / scale


def series_completion(conn: Db, user_id: int, series_id: int) -> SeriesCompletion:
    rows = conn.execute(_SERIES_POSTS_SQL, {"uid": user_id, "sid": series_id}).fetchall()
    return SeriesCompletion(rows)


def mark_read(conn: Db, user_id: int, full_access: bool, post_id: int,
              read_time_spent: int | None) -> dict[str, Any]:
    """Record a read (idempotent: the first completion time and the longest read time are kept)."""
    post = published_post(conn, post_id)
    # Completion feeds series progress and certificates, so a locked post cannot be completed.
    if premium.is_locked(post, full_access):
        raise Forbidden("this post requires a premium subscription")
    row = conn.execute(
        "INSERT INTO user_progress (user_id, post_id, read_time_spent) VALUES (%s, %s, %s)"
        " ON CONFLICT (user_id, post_id) DO UPDATE"
        " SET read_time_spent = GREATEST(user_progress.read_time_spent, EXCLUDED.read_time_spent)"
        " RETURNING completed_at, read_time_spent",
        (user_id, post_id, read_time_spent or 0),
    ).fetchone()
    awarded = awards.award(conn, user_id, READ_XP, awards.READ_REASON, str(post_id))
    totals = conn.execute("SELECT xp, level FROM users WHERE id = %s", (user_id,)).fetchone()
    return {"post_id": post_id, **(row or {}), "xp_awarded": awarded, **(totals or {})}


def read_posts(conn: Db, user_id: int, full_access: bool, query: PageQuery) -> dict[str, Any]:
    """Most recently read first (``user_progress_user_idx``), each with its post summary."""
    page = paginate(conn, _READ_SQL, {"uid": user_id}, query, "completed_at DESC, id DESC")
    page["items"] = with_summaries(conn, page["items"], full_access)
    return page


def series_progress(conn: Db, user_id: int, full_access: bool, series_id: int) -> dict[str, Any]:
    series = conn.execute("SELECT id, slug, title FROM series WHERE id = %s", (series_id,)).fetchone()
    if series is None:
        raise NotFound("series not found")
    done = series_completion(conn, user_id, series_id)
    posts = [premium.gate(row, full_access) | {"read": row["completed_at"] is not None} for row in done.posts]
    return {"series": series, "read": len(done.read_ids), "total": done.total, "percent": int(done.percent(0)),
            "completed": done.completed, "posts": posts}


def stats(conn: Db, user_id: int) -> dict[str, Any]:
    row: dict[str, Any] | None = conn.execute(_STATS_SQL, {"uid": user_id}).fetchone()
    if row is None:
        raise NotFound("user not found")
    return row
