"""Expired token cleanup: refresh tokens and email tokens past their expiry."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalice import Blueprint, Cron

from layers.core.logging import configure
from layers.jobs.job import Counts, Job
from layers.jobs.runs import run_scheduled

configure()  # app middleware does not run for event handlers (aws/chalice#1566)
blueprint = Blueprint(__name__)
SCHEDULE = Cron(30, 3, "*", "*", "?", "*")


def run(at: datetime) -> Counts:
    from layers.core import db
    from layers.jobs import cleanup

    with db.connection() as conn:
        return cleanup.delete_expired_tokens(conn)


JOB = Job("token_cleanup", SCHEDULE.to_string(), run, "Delete expired refresh tokens and email tokens")


@blueprint.schedule(SCHEDULE, name=JOB.name)
def token_cleanup(event: Any) -> dict[str, Any]:
    return run_scheduled(JOB, event)
