"""Expired token cleanup: refresh tokens and email tokens past their expiry."""
from __future__ import annotations

from layers.jobs.cleanup import delete_expired_tokens
from layers.jobs.job import Job
from scheduled import job_function

JOB = Job("token_cleanup", "cron(30 3 * * ? *)", delete_expired_tokens,
          "Delete expired refresh tokens and email tokens")
blueprint, token_cleanup = job_function(__name__, JOB)
