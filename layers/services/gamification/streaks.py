"""Daily streaks, counted in the user's own time zone.

A day counts when the user was active on it (a check-in, or anything that earns XP) in their
time zone (``user_settings.timezone``, an IANA name, default UTC). Activity on the day after the
last active day extends the streak; a later day starts it again at 1.

The freeze: one missed day per ISO week (the week of the missed day) is bridged automatically.
Coming back two local days after the last active day keeps the streak going (+1 for today; the
missed day itself is not counted) when no freeze was used in that week yet; a gap of two or more
missed days always resets. Changing time zone never takes a day back: a local date earlier than
the last active day counts as that day.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from layers.core.db import Db
from layers.core.errors import NotFound
from layers.schemas.gamification import is_timezone

DEFAULT_TIMEZONE = "UTC"


def local_day(at: datetime, tz_name: str) -> date:
    return at.astimezone(ZoneInfo(tz_name if is_timezone(tz_name) else DEFAULT_TIMEZONE)).date()


@dataclass(frozen=True)
class Activity:
    day: date
    counted: bool  # False when the day had already counted
    froze: bool  # True when a freeze bridged the day before
    streak: int
    longest: int


_STATE_SQL = """
SELECT u.streak, u.longest_streak, u.last_active_on, u.streak_frozen_on,
       coalesce(s.timezone, 'UTC') AS timezone
FROM users u LEFT JOIN user_settings s ON s.user_id = u.id
WHERE u.id = %s
"""


def _state(conn: Db, user_id: int) -> dict[str, Any]:
    row: dict[str, Any] | None = conn.execute(_STATE_SQL, (user_id,)).fetchone()
    if row is None:
        raise NotFound("user not found")
    return row


def record_activity(conn: Db, user_id: int, at: datetime) -> Activity:
    """Count ``at``'s local day for ``user_id`` (idempotent per local day).

    Only the award pipeline (``awards``) calls this, with the user's row already locked, so two
    requests of one user count a day one after the other.
    """
    state = _state(conn, user_id)
    today = local_day(at, state["timezone"])
    last: date | None = state["last_active_on"]
    if last is not None and today <= last:
        return Activity(last, False, False, state["streak"], state["longest_streak"])
    streak, frozen_on, froze = 1, state["streak_frozen_on"], False
    if last is not None and (today - last).days == 1:
        streak = state["streak"] + 1
    elif last is not None and (today - last).days == 2 and _freeze_free(frozen_on, last + timedelta(days=1)):
        streak, frozen_on, froze = state["streak"] + 1, last + timedelta(days=1), True
    longest = max(streak, state["longest_streak"])
    conn.execute(
        "UPDATE users SET streak = %s, longest_streak = %s, last_active_on = %s, streak_frozen_on = %s,"
        " updated_at = now() WHERE id = %s",
        (streak, longest, today, frozen_on, user_id),
    )
    return Activity(today, True, froze, streak, longest)


def view(conn: Db, user_id: int, at: datetime) -> dict[str, Any]:
    """The streak as the user sees it now: a streak that can no longer continue shows 0."""
    state = _state(conn, user_id)
    today = local_day(at, state["timezone"])
    last: date | None = state["last_active_on"]
    gap = (today - last).days if last is not None else None
    alive = gap is not None and (gap <= 1 or gap == 2 and _freeze_free(state["streak_frozen_on"],
                                                                          today - timedelta(days=1)))
    return {
        "current": state["streak"] if alive else 0,
        "longest": state["longest_streak"],
        "last_active_on": last,
        "today": today,
        "checked_in_today": gap is not None and gap <= 0,
        "timezone": state["timezone"],
        "freeze_available": _freeze_free(state["streak_frozen_on"], today),
        "frozen_on": state["streak_frozen_on"],
    }


def set_timezone(conn: Db, user_id: int, tz_name: str) -> None:
    conn.execute(
        "INSERT INTO user_settings (user_id, timezone) VALUES (%s, %s)"
        " ON CONFLICT (user_id) DO UPDATE SET timezone = EXCLUDED.timezone, updated_at = now()",
        (user_id, tz_name),
    )


def _freeze_free(frozen_on: date | None, missed: date) -> bool:
    """Whether the week of ``missed`` still has its freeze."""
    return frozen_on is None or frozen_on.isocalendar()[:2] != missed.isocalendar()[:2]
