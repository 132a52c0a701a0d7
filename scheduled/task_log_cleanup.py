"""Task log cleanup: sent outbox rows, old processed-task ids and old job runs."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalice import Blueprint, Cron

from layers.core.logging import configure
from layers.jobs.job import Counts, Job
from layers.jobs.runs import run_scheduled

configure()  # app middleware does not run for event handlers (aws/chalice#1566)
blueprint = Blueprint(__name__)
SCHEDULE = Cron(45, 3, "*", "*", "?", "*")


def run(at: datetime) -> Counts:
    from layers.core import db
    from layers.jobs import cleanup

    with db.connection() as conn:
        return cleanup.delete_old_task_records(conn)


JOB = Job("task_log_cleanup", SCHEDULE.to_string(), run,
          "Delete sent outbox rows (7 days), processed task ids (30 days) and job runs (90 days)")


@blueprint.schedule(SCHEDULE, name=JOB.name)
def task_log_cleanup(event: Any) -> dict[str, Any]:
    return run_scheduled(JOB, event)
