"""Task log cleanup: sent outbox rows, old processed-task ids and old job runs."""
from __future__ import annotations

from layers.jobs.cleanup import delete_old_task_records
from layers.jobs.job import Job
from scheduled import job_function

JOB = Job("task_log_cleanup", "cron(45 3 * * ? *)", delete_old_task_records,
          "Delete sent outbox rows (7 days), processed task ids and email deliveries (30 days) and job runs (90 days)")
blueprint, task_log_cleanup = job_function(__name__, JOB)
