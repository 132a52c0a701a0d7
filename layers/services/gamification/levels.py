"""The level curve: reaching level ``n`` takes ``50 * n * (n - 1)`` XP in total.

Each level costs 100 XP more than the one before (level 2 at 100 XP, 3 at 300, 4 at 600,
5 at 1,000, 10 at 4,500), so early levels come quickly and later ones mark real effort. Integer
arithmetic only: a level boundary must never depend on floating-point rounding.
"""
from __future__ import annotations

from math import isqrt

STEP = 50


def xp_for_level(level: int) -> int:
    """Total XP at which ``level`` starts."""
    return STEP * level * (level - 1)


def level_for(xp: int) -> int:
    """The highest level whose threshold ``xp`` has reached (1 for no XP)."""
    if xp <= 0:
        return 1
    level = (1 + isqrt(1 + 4 * xp // STEP)) // 2
    while xp_for_level(level + 1) <= xp:
        level += 1
    while level > 1 and xp_for_level(level) > xp:
        level -= 1
    return level


def progress(xp: int) -> dict[str, int]:
    """The level, where it started and the total XP the next one needs."""
    level = level_for(xp)
    return {"level": level, "level_xp": xp_for_level(level), "next_level_xp": xp_for_level(level + 1)}


def describe(examples: tuple[int, ...] = (2, 3, 4, 5, 10)) -> str:
    """The curve in words, for the API's documentation: computed here, so it cannot drift."""
    starts = ", ".join(f"{level} at {xp_for_level(level):,}" for level in examples)
    return f"level *n* starts at {STEP}·*n*·(*n*−1) XP in total (level {starts})"
