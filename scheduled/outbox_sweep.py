"""Outbox sweep: sends the tasks the post-commit relay could not (SQS down, a crash)."""
from __future__ import annotations

from layers.jobs.job import Counts, Job
from scheduled import job_function


def run() -> Counts:
    from layers.tasks import relay

    return relay.sweep()


# Every minute: the bound on a stranded task's delay.
JOB = Job("outbox_sweep", "cron(* * * * ? *)", run, "Send pending outbox rows to the task queue")
blueprint, outbox_sweep = job_function(__name__, JOB)
