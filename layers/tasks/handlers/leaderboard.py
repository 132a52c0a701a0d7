"""``leaderboard_sync``: write a user's committed XP totals to the Redis leaderboards.

Enqueued by ``awards.award`` in the award's transaction, so it runs only once the award is committed.
The handler writes absolute totals, so a redelivered or reordered task changes nothing; with
Redis down it logs and returns (retrying would only fill the dead-letter queue): the reconcile
schedule rebuilds the boards from PostgreSQL.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from layers.core.db import Db
from layers.tasks.registry import task


class LeaderboardSync(BaseModel):
    user_id: int = Field(gt=0)
    week: str = Field(pattern=r"^\d{4}-W\d{2}$")  # the ISO week the award fell in


@task("leaderboard_sync")
def leaderboard_sync(db: Db, payload: LeaderboardSync, redis: Any) -> None:
    from layers.services.gamification import leaderboard

    leaderboard.sync_user(db, redis, payload.user_id, payload.week)
