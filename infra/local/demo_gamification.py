"""Demo activity for ``make run``: the demo readers read posts and check in on past days.

Alice has read twelve posts on ten days in a row, Bob five posts with a missed day a freeze
bridged, Carol two posts today; Bob signed up with Alice's referral code. Levels, badges,
streaks and the leaderboard follow from the same code a real request runs (``awards.award``,
``profile.check_in``). Idempotent: every award has its unique key, and a day before the last
counted one never counts again.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

# reader email -> (days ago the reader was active, posts read in all)
ACTIVITY = {
    "alice@example.com": (tuple(range(9, -1, -1)), 12),
    "bob@example.com": ((4, 3, 1, 0), 5),
    "carol@example.com": ((0,), 2),
}
REFERRALS = (("alice@example.com", "bob@example.com"),)  # (referrer, referred)


def seed(conn: Any, accounts: dict[str, int], post_ids: dict[str, int]) -> int:
    """Write the demo activity; returns how many XP awards were new."""
    from layers.services import referrals

    posts = [row["id"] for row in conn.execute(
        "SELECT id FROM posts WHERE id = ANY(%s) AND status = 'published' AND NOT is_premium"
        " ORDER BY published_at, id", (list(post_ids.values()),)).fetchall()]
    now = datetime.now(timezone.utc)
    awarded = 0
    for email, (days, reads) in ACTIVITY.items():
        if email in accounts:
            awarded += _activity(conn, accounts[email], days, posts[:reads], now)
    for referrer, referred in REFERRALS:
        if referrer in accounts and referred in accounts:
            code = referrals.code_for(conn, accounts[referrer])["code"]
            awarded += referrals.record_signup(conn, code, accounts[referred])
    return awarded


def _activity(conn: Any, user_id: int, days: tuple[int, ...], posts: list[int], now: datetime) -> int:
    from layers.services.gamification import awards, profile
    from layers.services.progress import READ_XP

    per_day = -(-len(posts) // len(days))  # spread the reads over the active days
    awarded = 0
    for index, days_ago in enumerate(days):
        at = now - timedelta(days=days_ago)
        awarded += bool(profile.check_in(conn, user_id, at)["xp_awarded"])
        for post_id in posts[index * per_day:(index + 1) * per_day]:
            conn.execute("INSERT INTO user_progress (user_id, post_id, read_time_spent, completed_at)"
                         " VALUES (%s, %s, 240, %s) ON CONFLICT DO NOTHING", (user_id, post_id, at))
            awarded += bool(awards.award(conn, user_id, READ_XP, awards.READ_REASON, str(post_id), at=at))
    return awarded
