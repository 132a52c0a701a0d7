"""Leaderboard reconcile: rebuilds the all-time and this week's XP boards in Redis from PostgreSQL.

Awards are written through to Redis after they commit; this repairs whatever drifted (Redis
restarted or was down, a write raced a rebuild). Each board is built in a temporary key and
swapped in with RENAME, so readers never see a half-built board.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalice import Blueprint, Cron

from layers.core.logging import configure
from layers.jobs.job import Counts, Job
from layers.jobs.runs import run_scheduled

configure()  # app middleware does not run for event handlers (aws/chalice#1566)
blueprint = Blueprint(__name__)
SCHEDULE = Cron("0/10", "*", "*", "*", "?", "*")


def run(at: datetime) -> Counts:
    from layers import bootstrap
    from layers.core import db
    from layers.services.gamification import leaderboard

    with db.connection() as conn:
        counts = leaderboard.rebuild(conn, bootstrap.provide("redis"), at)
        conn.commit()  # read-only; ends the transaction the cursors ran in
        return counts


JOB = Job("leaderboard_reconcile", SCHEDULE.to_string(), run,
          "Rebuild the all-time and weekly XP leaderboards in Redis from PostgreSQL (every 10 minutes)")


@blueprint.schedule(SCHEDULE, name=JOB.name)
def leaderboard_reconcile(event: Any) -> dict[str, Any]:
    return run_scheduled(JOB, event)
