"""referrals router: the caller's referral code, public visit tracking, top referrers."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.ports import Clock
from layers.core.settings import Settings
from layers.http.context import RequestContext
from layers.http.routing import Router
from layers.schemas.referrals import (
    ReferralCodeOut,
    ReferralLeaderboardOut,
    ReferralLeaderboardQuery,
    TrackIn,
    TrackOut,
)
from layers.services import referrals

router = Router("referrals")


@router.post("/api/referrals/code", auth="user", response=ReferralCodeOut)
def get_code(db: Db, user: CurrentUser) -> dict[str, Any]:
    """The caller's referral code, created on the first call (the same code on every later one)."""
    return referrals.code_for(db, user.id)


@router.post("/api/referrals/track", body=TrackIn, response=TrackOut, status=202, errors=(404,))
def track(db: Db, settings: Settings, clock: Clock, request: RequestContext,
          viewer: CurrentUser | None, body: TrackIn) -> dict[str, Any]:
    """Record a visit through a referral link: once per client per code per hour (404: unknown code).

    Sign-ups are recorded by registration (``referral_code``), never here.
    """
    if body.event != "visit":
        return {"recorded": False}
    secret = settings.jwt_secret.get_secret_value().encode()
    recorded = referrals.track_visit(db, secret, body.code, viewer.id if viewer else None,
                                     request.client_ip, clock.now())
    return {"recorded": recorded}


@router.get("/api/referrals/leaderboard", auth="user", query=ReferralLeaderboardQuery,
            response=ReferralLeaderboardOut)
def leaderboard(db: Db, user: CurrentUser, query: ReferralLeaderboardQuery) -> dict[str, Any]:
    """Top referrers by sign-ups; equal counts share a rank."""
    return {"items": referrals.leaderboard(db, query.limit)}
