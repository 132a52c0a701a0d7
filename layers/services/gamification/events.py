"""What an XP award sets off, in the award's own transaction: the day counts for the streak, a
read that completes a series earns the series bonus, and badges the award can earn are checked."""
from __future__ import annotations

from datetime import datetime

from layers.core.db import Db
from layers.services.gamification import badges, metrics, streaks

SERIES_XP = 50
CHECKIN_REASON = "checkin"

# The metrics an award's reason can move; an unknown reason checks every badge (correct, slower).
_REASON_METRICS: dict[str, frozenset[str]] = {
    "read": frozenset({"posts_read", "series_completed"}),
    "series": frozenset({"series_completed"}),
    CHECKIN_REASON: frozenset(),
    "referral": frozenset({"referrals"}),
    "quiz": frozenset({"perfect_quizzes"}),
    "challenge": frozenset({"challenges_solved"}),
    "review": frozenset({"reviews"}),
    "interview": frozenset(),
}
# XP and the streak can move on any award (the streak because any award is activity).
_ALWAYS = frozenset({"xp", "streak"})


def after_award(conn: Db, user_id: int, reason: str, ref: str, at: datetime) -> None:
    from layers.services import xp

    if reason != CHECKIN_REASON:  # a check-in has already counted its day
        streaks.record_activity(conn, user_id, at)
    if reason == "read" and ref.isdigit():
        series_id = metrics.series_completed_by(conn, user_id, int(ref))
        if series_id is not None:
            xp.award(conn, user_id, SERIES_XP, "series", str(series_id), at=at)
    badges.evaluate(conn, user_id, _REASON_METRICS.get(reason, metrics.METRICS) | _ALWAYS)
