"""The award pipeline: the one way a user's XP, level, streak, series bonus and badges change.

Everything that earns XP (a read, a quiz, a challenge, a review, an interview, a referred sign-up)
calls ``award``, and the daily check-in calls ``check_in``, inside the caller's transaction. Each
runs the same steps in the same order:

1. lock the user's row, once (``FOR NO KEY UPDATE``);
2. write the ledger (``xp_events``; its unique key (user, reason, ref) makes a retry, a double click
   or a concurrent duplicate award nothing), the series bonus included when a read completes one;
3. write the total and the level;
4. count the local day for the streak;
5. award the badges the reasons can earn (with their notifications);
6. ask for the leaderboards to be written once the transaction commits.

Why the lock comes first and is ``NO KEY UPDATE``: the callers have usually just written a row
that references the user (``user_progress``, ``quiz_attempts``, ``referral_events``), and such an
insert takes a ``KEY SHARE`` lock on the user's row. Two of one user's requests both holding that
share lock and then both asking for ``FOR UPDATE`` (or one asking for it while the other updates
the row) wait on each other: PostgreSQL aborts one as a deadlock. ``NO KEY UPDATE`` does not
conflict with ``KEY SHARE``, so the first request takes the row and the second waits for its
commit; taking it before anything else the pipeline writes means no step can upgrade a lock
later. Nothing here calls back into its callers, so the order above is the whole story.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from layers.core.db import Db
from layers.core.errors import NotFound
from layers.services.gamification import badges, leaderboard, metrics, streaks
from layers.services.gamification.levels import level_for
from layers.services.gamification.streaks import Activity

READ_REASON = "read"
SERIES_REASON = "series"
CHECKIN_REASON = "checkin"
SERIES_XP = 50
CHECKIN_XP = 5

# The metrics an award's reason can move; an unknown reason checks every badge (correct, slower).
_REASON_METRICS: dict[str, frozenset[str]] = {
    READ_REASON: frozenset({"posts_read", "series_completed"}),
    SERIES_REASON: frozenset({"series_completed"}),
    CHECKIN_REASON: frozenset(),
    "referral": frozenset({"referrals"}),
    "quiz": frozenset({"perfect_quizzes"}),
    "challenge": frozenset({"challenges_solved"}),
    "review": frozenset({"reviews"}),
    "interview": frozenset(),
}
# XP and the streak can move on any award (the streak because any award is activity).
_ALWAYS = frozenset({"xp", "streak"})


@dataclass(frozen=True)
class CheckIn:
    activity: Activity
    xp_awarded: int


def award(conn: Db, user_id: int, amount: int, reason: str, ref: str, *,
          at: datetime | None = None) -> int:
    """Grant ``amount`` XP for (``reason``, ``ref``) unless already granted; returns the XP granted.

    A read that completes a series also grants the series bonus (not counted in the return value,
    which is what the caller's own action earned). ``at`` is when it was earned (the transaction's
    time by default); it decides the streak's day and the leaderboard's week.
    """
    if amount <= 0:
        raise ValueError("XP awards are positive")
    xp = _lock_user(conn, user_id)
    earned_at = _ledger(conn, user_id, amount, reason, ref, at)
    if earned_at is None:
        return 0
    granted, reasons = amount, {reason}
    if reason == READ_REASON and ref.isdigit():
        series_id = metrics.series_completed_by(conn, user_id, int(ref))
        if series_id is not None and _ledger(conn, user_id, SERIES_XP, SERIES_REASON, str(series_id), earned_at):
            granted, reasons = granted + SERIES_XP, reasons | {SERIES_REASON}
    _set_total(conn, user_id, xp + granted)
    if reason != CHECKIN_REASON:
        streaks.record_activity(conn, user_id, earned_at)
    _after(conn, user_id, reasons, earned_at)
    return amount


def check_in(conn: Db, user_id: int, at: datetime) -> CheckIn:
    """Count ``at``'s local day for the streak once; the first check-in of a day earns a little XP."""
    xp = _lock_user(conn, user_id)
    activity = streaks.record_activity(conn, user_id, at)
    if not activity.counted or _ledger(conn, user_id, CHECKIN_XP, CHECKIN_REASON,
                                       activity.day.isoformat(), at) is None:
        return CheckIn(activity, 0)
    _set_total(conn, user_id, xp + CHECKIN_XP)
    _after(conn, user_id, {CHECKIN_REASON}, at)
    return CheckIn(activity, CHECKIN_XP)


def _lock_user(conn: Db, user_id: int) -> int:
    row: dict[str, Any] | None = conn.execute(
        "SELECT xp FROM users WHERE id = %s FOR NO KEY UPDATE", (user_id,)).fetchone()
    if row is None:
        raise NotFound("user not found")
    return int(row["xp"])


def _ledger(conn: Db, user_id: int, amount: int, reason: str, ref: str,
            at: datetime | None) -> datetime | None:
    """Write one award's ledger row; its time, or None when (user, reason, ref) was already granted."""
    row: dict[str, Any] | None = conn.execute(
        "INSERT INTO xp_events (user_id, amount, reason, ref, created_at)"
        " VALUES (%s, %s, %s, %s, coalesce(%s::timestamptz, now()))"
        " ON CONFLICT (user_id, reason, ref) DO NOTHING RETURNING created_at",
        (user_id, amount, reason, ref, at),
    ).fetchone()
    return row["created_at"] if row else None


def _set_total(conn: Db, user_id: int, total: int) -> None:
    # The row is locked by this transaction, so the total read at the lock plus what was granted
    # is the total: no concurrent award can have moved it in between.
    conn.execute("UPDATE users SET xp = %s, level = %s, updated_at = now() WHERE id = %s",
                 (total, level_for(total), user_id))


def _after(conn: Db, user_id: int, reasons: Iterable[str], at: datetime) -> None:
    moved: frozenset[str] = _ALWAYS
    for reason in reasons:
        moved |= _REASON_METRICS.get(reason, metrics.METRICS)
    badges.evaluate(conn, user_id, moved)
    leaderboard.queue_sync(conn, user_id, at)
