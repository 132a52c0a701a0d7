"""Leaderboard reconcile: rebuilds the all-time and this week's XP boards in Redis from PostgreSQL.

Awards are written through to Redis after they commit; this repairs whatever drifted (Redis
restarted or was down, a write raced a rebuild). Each board is built in a temporary key and
swapped in with RENAME, so readers never see a half-built board.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from layers.core.db import Db
from layers.jobs.job import Counts, Job
from scheduled import job_function

if TYPE_CHECKING:
    from redis import Redis


def run(db: Db, redis: Redis, at: datetime) -> Counts:
    from layers.services.gamification import leaderboard

    return leaderboard.rebuild(db, redis, at)


JOB = Job("leaderboard_reconcile", "cron(0/10 * * * ? *)", run,
          "Rebuild the all-time and weekly XP leaderboards in Redis from PostgreSQL (every 10 minutes)")
blueprint, leaderboard_reconcile = job_function(__name__, JOB)
