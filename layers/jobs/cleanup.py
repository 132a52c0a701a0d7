"""Deleting what has outlived its use: expired tokens, and the task machinery's old records.

Deletes go in batches, each its own unit of work, so a large backlog never holds one long
transaction (and its row locks) against the sign-in path. These jobs therefore ask for no
``db`` of their own.
"""
from __future__ import annotations

from layers.jobs.job import Counts

BATCH = 5_000
SENT_OUTBOX_RETENTION_DAYS = 7
# Longer than a message can live in SQS (4 days in the queue, 14 in the dead-letter queue from
# its first enqueue), so a redriven message still finds its task id and does nothing twice.
PROCESSED_TASK_RETENTION_DAYS = 30
JOB_RUN_RETENTION_DAYS = 90

# (table, key column, condition): fixed strings, never input.
_EXPIRED_TOKENS = (
    ("refresh_tokens", "id", "expires_at < now()"),
    ("email_tokens", "id", "expires_at < now()"),
)
_TASK_LOG = (
    ("task_outbox", "id", f"status = 'sent' AND sent_at < now() - interval '{SENT_OUTBOX_RETENTION_DAYS} days'"),
    ("processed_tasks", "task_id", f"processed_at < now() - interval '{PROCESSED_TASK_RETENTION_DAYS} days'"),
    # As long as the task ids: a redelivery still finds what its email delivery did.
    ("email_deliveries", "task_id", f"attempted_at < now() - interval '{PROCESSED_TASK_RETENTION_DAYS} days'"),
    ("job_runs", "id", f"started_at < now() - interval '{JOB_RUN_RETENTION_DAYS} days'"),
)


def delete_expired_tokens() -> Counts:
    return {table: _delete_in_batches(table, key, where) for table, key, where in _EXPIRED_TOKENS}


def delete_old_task_records() -> Counts:
    return {table: _delete_in_batches(table, key, where) for table, key, where in _TASK_LOG}


def _delete_in_batches(table: str, key: str, where: str) -> int:
    from layers.tasks.relay import unit_of_work

    total = 0
    while True:
        with unit_of_work() as uow:
            deleted = uow.conn.execute(
                f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {table} WHERE {where} LIMIT %s)",
                (BATCH,),
            ).rowcount
        total += deleted
        if deleted < BATCH:
            return total
