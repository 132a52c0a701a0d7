"""Experience points: every award is an ``xp_events`` row whose unique key makes it happen once.

``award`` joins the caller's transaction (no commit), so the XP and the action that earned it are
committed together; a concurrent duplicate waits on the unique key and then awards nothing. In
the same transaction it updates the user's total and level (``gamification.levels``), asks for
the leaderboards to be written once the transaction commits, and lets the award count for the
streak, the series bonus and badges (``gamification.events``).
"""
from __future__ import annotations

from datetime import datetime

from layers.core.db import Db
from layers.services.gamification import leaderboard
from layers.services.gamification.levels import level_for

__all__ = ["award", "level_for"]


def award(conn: Db, user_id: int, amount: int, reason: str, ref: str, *,
          at: datetime | None = None) -> int:
    """Grant ``amount`` XP for (``reason``, ``ref``) unless already granted; returns XP granted.

    ``at`` is when it was earned (the transaction's time by default); it decides the week.
    """
    from layers.services.gamification import events

    if amount <= 0:
        raise ValueError("XP awards are positive")
    event = conn.execute(
        "INSERT INTO xp_events (user_id, amount, reason, ref, created_at)"
        " VALUES (%s, %s, %s, %s, coalesce(%s::timestamptz, now()))"
        " ON CONFLICT (user_id, reason, ref) DO NOTHING RETURNING created_at",
        (user_id, amount, reason, ref, at),
    ).fetchone()
    if event is None:
        return 0
    # The row lock taken here orders concurrent awards to one user, so the level matches the total.
    row = conn.execute("UPDATE users SET xp = xp + %s, updated_at = now() WHERE id = %s RETURNING xp",
                       (amount, user_id)).fetchone()
    total = int(row["xp"]) if row else 0
    conn.execute("UPDATE users SET level = %s WHERE id = %s AND level <> %s",
                 (level_for(total), user_id, level_for(total)))
    leaderboard.queue_sync(conn, user_id, event["created_at"])
    events.after_award(conn, user_id, reason, ref, event["created_at"])
    return amount
