"""Request and response models of the referrals router."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from layers.schemas.common import Code, StrictModel


class ReferralCodeOut(BaseModel):
    code: str
    reward_xp: int = Field(description="XP the referrer earns per referred sign-up")
    visits: int
    signups: int
    created_at: datetime


class TrackIn(StrictModel):
    code: Code
    event: Literal["visit", "signup"] = Field(
        "visit", description="sign-ups are recorded by registration itself; 'signup' here counts nothing")


class TrackOut(BaseModel):
    recorded: bool = Field(description="false when this client's visit already counted this hour")


class ReferralLeaderboardQuery(BaseModel):
    limit: int = Field(10, ge=1, le=100)


class ReferrerOut(BaseModel):
    user_id: int
    name: str
    referrals: int
    rank: int


class ReferralLeaderboardOut(BaseModel):
    items: list[ReferrerOut]
