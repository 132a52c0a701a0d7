"""What a user sees of their own progress: totals, level, rank, streak, badges and milestones."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from layers.core.db import Db
from layers.core.errors import NotFound
from layers.services.gamification import awards, badges, leaderboard, levels, metrics, streaks

if TYPE_CHECKING:
    from redis import Redis

# Milestones: fixed ladders on the same metrics as badges; "next" is the first rung not reached.
MILESTONES: dict[str, tuple[str, tuple[int, ...]]] = {
    "xp": ("XP earned", (100, 500, 1000, 2500, 5000, 10000, 25000)),
    "posts_read": ("Posts read", (1, 5, 10, 25, 50, 100, 250)),
    "streak": ("Longest streak (days)", (3, 7, 14, 30, 60, 100, 365)),
    "series_completed": ("Series completed", (1, 3, 5, 10)),
    "referrals": ("Friends referred", (1, 5, 10, 25)),
}


def me(conn: Db, redis: Redis, user_id: int, at: datetime) -> dict[str, Any]:
    row = conn.execute("SELECT xp FROM users WHERE id = %s", (user_id,)).fetchone()
    if row is None:
        raise NotFound("user not found")
    streak = streaks.view(conn, user_id, at)
    return {
        "xp": row["xp"], **levels.progress(row["xp"]),
        "rank": leaderboard.rank_of(conn, redis, user_id, "all", at),
        "streak": streak["current"], "longest_streak": streak["longest"],
        "badges": badges.held_by(conn, user_id),
    }


def milestones(conn: Db, user_id: int) -> dict[str, Any]:
    values = metrics.measure(conn, user_id, MILESTONES)
    return {"items": [_milestone(name, label, rungs, values[name])
                      for name, (label, rungs) in MILESTONES.items()]}


def _milestone(metric: str, label: str, rungs: tuple[int, ...], current: int) -> dict[str, Any]:
    reached = [r for r in rungs if current >= r]
    target = next((r for r in rungs if current < r), None)
    previous = reached[-1] if reached else 0
    progress = 100 if target is None else 100 * (current - previous) // (target - previous)
    return {"metric": metric, "label": label, "current": current, "reached": reached,
            "next": target, "remaining": None if target is None else target - current,
            "progress": progress}


def check_in(conn: Db, user_id: int, at: datetime) -> dict[str, Any]:
    """Count today (the user's local day) once; the first check-in of a day earns a little XP."""
    done = awards.check_in(conn, user_id, at)
    return {**streaks.view(conn, user_id, at), "counted": done.activity.counted, "froze": done.activity.froze,
            "xp_awarded": done.xp_awarded}
