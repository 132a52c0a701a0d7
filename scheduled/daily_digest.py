"""Daily digest: queues one email per digest subscriber with the last 24 hours' posts."""
from __future__ import annotations

from datetime import datetime

from layers.core.db import Db
from layers.jobs.job import Counts, Job
from scheduled import job_function


def run(db: Db, at: datetime) -> Counts:
    from layers.services import digest

    return digest.enqueue_daily(db, at)


JOB = Job("daily_digest", "cron(0 7 * * ? *)", run,
          "Email each digest subscriber the posts published in the 24 hours before the run (once a day)")
blueprint, daily_digest = job_function(__name__, JOB)
