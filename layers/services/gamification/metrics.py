"""The counters badges and milestones are measured against, each one small indexed query.

Only the metrics a caller asks for are computed, so evaluating the badges an award can earn
costs a query or two, not one per metric.
"""
from __future__ import annotations

from collections.abc import Iterable

from layers.core.db import Db

# A series is completed when it has published posts and the user has read every one of them.
_SERIES_COMPLETED = """
SELECT count(*) AS n FROM (
    SELECT p.series_id
    FROM posts p LEFT JOIN user_progress up ON up.post_id = p.id AND up.user_id = %(uid)s
    WHERE p.status = 'published' AND p.series_id IS NOT NULL
    GROUP BY p.series_id
    HAVING count(*) = count(up.post_id)
) AS done
"""

_QUERIES: dict[str, str] = {
    "xp": "SELECT xp AS n FROM users WHERE id = %(uid)s",
    "streak": "SELECT longest_streak AS n FROM users WHERE id = %(uid)s",
    "posts_read": "SELECT count(*) AS n FROM user_progress WHERE user_id = %(uid)s",
    "series_completed": _SERIES_COMPLETED,
    "perfect_quizzes": "SELECT count(*) AS n FROM quiz_attempts WHERE user_id = %(uid)s"
                       " AND submitted_at IS NOT NULL AND score = total_questions",
    "challenges_solved": "SELECT count(*) AS n FROM challenge_submissions"
                         " WHERE user_id = %(uid)s AND is_correct",
    "reviews": "SELECT count(*) AS n FROM srs_reviews WHERE user_id = %(uid)s",
    "referrals": "SELECT count(*) AS n FROM referral_events e JOIN referrals r ON r.id = e.referral_id"
                 " WHERE r.user_id = %(uid)s AND e.kind = 'signup'",
}
METRICS = frozenset(_QUERIES)


def measure(conn: Db, user_id: int, names: Iterable[str]) -> dict[str, int]:
    """The current value of each named metric for ``user_id``."""
    values: dict[str, int] = {}
    for name in sorted(set(names)):
        row = conn.execute(_QUERIES[name], {"uid": user_id}).fetchone()  # name from the fixed table
        values[name] = int(row["n"]) if row else 0
    return values


def series_completed_by(conn: Db, user_id: int, post_id: int) -> int | None:
    """The series ``post_id`` belongs to, when reading it left none of its posts unread."""
    row = conn.execute(
        "SELECT p.series_id FROM posts p WHERE p.id = %(pid)s AND p.series_id IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM posts o WHERE o.series_id = p.series_id AND o.status = 'published'"
        "   AND NOT EXISTS (SELECT 1 FROM user_progress up WHERE up.user_id = %(uid)s AND up.post_id = o.id))",
        {"pid": post_id, "uid": user_id},
    ).fetchone()
    return int(row["series_id"]) if row else None
