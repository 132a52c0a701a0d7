"""challenges router: one challenge a day (UTC), answers checked on the server."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.ports import Clock
from layers.http.routing import Router
from layers.schemas.challenges import (
    ChallengeLeader,
    ChallengeOut,
    ChallengeResult,
    ChallengeSubmitIn,
    LeaderboardQuery,
)
from layers.services.learning import challenges

router = Router("challenges")


@router.get("/api/challenges/today", response=ChallengeOut, errors=(404,))
def today(db: Db, viewer: CurrentUser | None, clock: Clock) -> dict[str, Any]:
    """Today's challenge (UTC day), without its answer; signed-in callers also see their attempts."""
    return challenges.today_for(db, viewer.id if viewer else None, clock.now().date())


@router.post("/api/challenges/{challenge_id}/submit", auth="user", body=ChallengeSubmitIn,
             response=ChallengeResult, errors=(400, 404, 409))
def submit(db: Db, user: CurrentUser, challenge_id: int, body: ChallengeSubmitIn, clock: Clock) -> dict[str, Any]:
    """Answer today's challenge. Every attempt is recorded; the first correct one scores and
    extends the streak. Another day's challenge, or one already solved today, is 409."""
    return challenges.submit(db, user.id, challenge_id, body.answer, body.choice, clock.now())


@router.get("/api/challenges/leaderboard", query=LeaderboardQuery, response=list[ChallengeLeader])
def leaderboard(db: Db, query: LeaderboardQuery) -> list[dict[str, Any]]:
    """Names, points and challenges solved, best first."""
    return challenges.leaderboard(db, query.limit)
