"""Spaced-repetition rescheduling: cards scheduled under other FSRS parameters replay their log.

Nothing to do until ``SRS_DESIRED_RETENTION`` or ``SRS_MAXIMUM_INTERVAL_DAYS`` change; then each
run replays a bounded batch of cards and reports how many remain.
"""
from __future__ import annotations

from layers.core.db import Db
from layers.core.settings import Settings
from layers.jobs.job import Counts, Job
from scheduled import job_function


def run(db: Db, settings: Settings) -> Counts:
    from layers.services.learning import srs_replay

    return srs_replay.reschedule(db, settings.srs_desired_retention, settings.srs_maximum_interval_days)


JOB = Job("srs_reschedule", "cron(45 3 * * ? *)", run,
          "Replay the review log of spaced-repetition cards scheduled under other FSRS parameters")
blueprint, srs_reschedule = job_function(__name__, JOB)
