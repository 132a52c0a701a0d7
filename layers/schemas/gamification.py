"""Request and response models of the gamification router."""
from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from layers.schemas.common import StrictModel


@functools.lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    from zoneinfo import available_timezones

    return frozenset(available_timezones())


def is_timezone(name: str) -> bool:
    """An IANA zone name the bundled tz database knows (``tzdata`` where the OS has none)."""
    return name in _timezones()


def _known_timezone(value: str) -> str:
    if not is_timezone(value):
        raise ValueError("must be an IANA time zone name, such as Europe/Paris or UTC")
    return value


TimezoneName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
                         AfterValidator(_known_timezone)]


class LeaderboardQuery(BaseModel):
    period: Literal["all", "week"] = "all"
    limit: int = Field(10, ge=1, le=100)


class LeaderboardEntry(BaseModel):
    user_id: int
    name: str
    xp: int
    rank: int = Field(description="competition ranking: equal XP, equal rank; the next rank skips")


class LeaderboardOut(BaseModel):
    period: Literal["all", "week"]
    source: Literal["redis", "postgres"] = Field(description="postgres when Redis is unavailable")
    items: list[LeaderboardEntry]


class BadgeOut(BaseModel):
    slug: str
    name: str
    description: str
    icon: str
    metric: str
    threshold: int
    earned: bool | None = Field(None, description="null when not signed in")
    awarded_at: datetime | None = None


class BadgesOut(BaseModel):
    items: list[BadgeOut]


class MeOut(BaseModel):
    xp: int
    level: int
    level_xp: int = Field(description="total XP at which the current level started")
    next_level_xp: int = Field(description="total XP the next level needs")
    rank: int = Field(description="all-time rank, competition ranking")
    streak: int
    longest_streak: int
    badges: list[BadgeOut]


class MilestoneOut(BaseModel):
    metric: str
    label: str
    current: int
    reached: list[int]
    next: int | None = Field(description="the next target; null when every milestone is reached")
    remaining: int | None
    progress: int = Field(description="percent of the way from the last reached milestone to the next")


class MilestonesOut(BaseModel):
    items: list[MilestoneOut]


class StreakOut(BaseModel):
    current: int = Field(description="0 once the streak can no longer continue")
    longest: int
    last_active_on: date | None
    today: date = Field(description="the user's local date")
    checked_in_today: bool
    timezone: str
    freeze_available: bool = Field(description="this week's freeze (bridges one missed day) is unused")
    frozen_on: date | None = Field(description="the last missed day a freeze bridged")


class CheckInOut(StreakOut):
    counted: bool = Field(description="false when today had already counted")
    froze: bool = Field(description="true when a freeze bridged yesterday")
    xp_awarded: int


class TimezoneIn(StrictModel):
    timezone: TimezoneName
