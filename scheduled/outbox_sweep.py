"""Outbox sweep: sends the tasks the post-commit relay could not (SQS down, a crash)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalice import Blueprint, Cron

from layers.core.logging import configure
from layers.jobs.job import Counts, Job
from layers.jobs.runs import run_scheduled

configure()  # app middleware does not run for event handlers (aws/chalice#1566)
blueprint = Blueprint(__name__)
SCHEDULE = Cron("*", "*", "*", "*", "?", "*")  # every minute: the bound on a stranded task's delay


def run(at: datetime) -> Counts:
    from layers.tasks import relay

    return relay.sweep()


JOB = Job("outbox_sweep", SCHEDULE.to_string(), run, "Send pending outbox rows to the task queue")


@blueprint.schedule(SCHEDULE, name=JOB.name)
def outbox_sweep(event: Any) -> dict[str, Any]:
    return run_scheduled(JOB, event)
