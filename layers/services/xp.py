"""Experience points: every award is an ``xp_events`` row whose unique key makes it happen once.

``award`` joins the caller's transaction (no commit), so the XP and the action that earned it are
committed together; a concurrent duplicate waits on the unique key and then awards nothing.
"""
from __future__ import annotations

from typing import Any

XP_PER_LEVEL = 100


def level_for(xp: int) -> int:
    return 1 + xp // XP_PER_LEVEL


def award(conn: Any, user_id: int, amount: int, reason: str, ref: str) -> int:
    """Grant ``amount`` XP for (``reason``, ``ref``) unless already granted; returns XP granted."""
    if amount <= 0:
        raise ValueError("XP awards are positive")
    event = conn.execute(
        "INSERT INTO xp_events (user_id, amount, reason, ref) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (user_id, reason, ref) DO NOTHING RETURNING id",
        (user_id, amount, reason, ref),
    ).fetchone()
    if event is None:
        return 0
    # Level follows the same rule as ``level_for``, computed in the row update to avoid a race.
    conn.execute(
        "UPDATE users SET xp = xp + %(amount)s, level = 1 + (xp + %(amount)s) / %(per_level)s,"
        " updated_at = now() WHERE id = %(uid)s",
        {"amount": amount, "per_level": XP_PER_LEVEL, "uid": user_id},
    )
    return amount
