"""gamification router: XP leaderboards, the caller's level, badges, milestones and streak."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.ports import Clock
from layers.http.docstrings import described
from layers.http.routing import Router
from layers.schemas.gamification import (
    BadgesOut,
    CheckInOut,
    LeaderboardOut,
    LeaderboardQuery,
    MeOut,
    MilestonesOut,
    StreakOut,
    TimezoneIn,
)
from layers.services.gamification import awards, badges, leaderboard, levels, profile, streaks

if TYPE_CHECKING:
    from redis import Redis

router = Router("gamification")


@router.get("/api/gamification/leaderboard", query=LeaderboardQuery, response=LeaderboardOut)
def get_leaderboard(db: Db, redis: Redis, clock: Clock, query: LeaderboardQuery) -> dict[str, Any]:
    """Top users by XP, all time or this ISO week (UTC); from Redis, from PostgreSQL when it is down."""
    return leaderboard.top(db, redis, query.period, query.limit, clock.now())


@router.get("/api/gamification/me", auth="user", response=MeOut)
@described(level_rule=levels.describe())
def get_me(db: Db, redis: Redis, clock: Clock, user: CurrentUser) -> dict[str, Any]:
    """The caller's XP, level (and the XP the next one needs), all-time rank, streak and badges.

    Levels: {level_rule}. `level_xp` is where the caller's level started, `next_level_xp` where
    the next one starts.
    """
    return profile.me(db, redis, user.id, clock.now())


@router.get("/api/gamification/badges", response=BadgesOut)
def get_badges(db: Db, viewer: CurrentUser | None) -> dict[str, Any]:
    """Every badge; with ``earned`` and ``awarded_at`` when signed in."""
    return {"items": badges.catalogue_for(db, viewer.id if viewer else None)}


@router.get("/api/gamification/milestones", auth="user", response=MilestonesOut)
def get_milestones(db: Db, user: CurrentUser) -> dict[str, Any]:
    """For each measure (XP, posts read, longest streak, series, referrals): reached and next."""
    return profile.milestones(db, user.id)


@router.get("/api/gamification/streak", auth="user", response=StreakOut)
def get_streak(db: Db, clock: Clock, user: CurrentUser) -> dict[str, Any]:
    """Current and longest streak, counted in the caller's time zone."""
    return streaks.view(db, user.id, clock.now())


@router.post("/api/gamification/streak/check-in", auth="user", response=CheckInOut)
@described(checkin_xp=awards.CHECKIN_XP)
def check_in(db: Db, clock: Clock, user: CurrentUser) -> dict[str, Any]:
    """Count today (the caller's local day) for the streak; once per local day, repeats change nothing.

    A freeze (one per ISO week) bridges a single missed day automatically. The first check-in of
    a local day earns {checkin_xp} XP.
    """
    return profile.check_in(db, user.id, clock.now())


@router.put("/api/gamification/timezone", auth="user", body=TimezoneIn, response=StreakOut)
def set_timezone(db: Db, clock: Clock, user: CurrentUser, body: TimezoneIn) -> dict[str, Any]:
    """Set the IANA time zone streak days are counted in (default UTC); answers the streak."""
    streaks.set_timezone(db, user.id, body.timezone)
    return streaks.view(db, user.id, clock.now())
