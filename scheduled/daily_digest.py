"""Daily digest: queues one email per digest subscriber with the last 24 hours' posts."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalice import Blueprint, Cron

from layers.core.logging import configure
from layers.jobs.job import Counts, Job
from layers.jobs.runs import run_scheduled

configure()  # app middleware does not run for event handlers (aws/chalice#1566)
blueprint = Blueprint(__name__)
SCHEDULE = Cron(0, 7, "*", "*", "?", "*")


def run(at: datetime) -> Counts:
    from layers.core import db
    from layers.services import digest

    with db.connection() as conn:
        return digest.enqueue_daily(conn, at)


JOB = Job("daily_digest", SCHEDULE.to_string(), run,
          "Email each digest subscriber the posts published in the 24 hours before the run (once a day)")


@blueprint.schedule(SCHEDULE, name=JOB.name)
def daily_digest(event: Any) -> dict[str, Any]:
    return run_scheduled(JOB, event)
