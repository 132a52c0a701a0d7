"""Move outbox rows to SQS.

``flush_pending`` runs right after a request commits and sends just that request's tasks; the
``outbox_sweep`` schedule calls ``sweep`` for anything left (SQS was down, the process died between
commit and send). Rows are claimed with ``FOR UPDATE SKIP LOCKED`` so concurrent relays never send
the same row twice at once; a row is marked sent only after SQS accepted it. A failed send backs
off (``available_at``) so a long outage does not turn every sweep into a storm.
"""
from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from layers.core import aws, db
from layers.core.logging import get_logger
from layers.core.settings import get_settings
from layers.core.uow import UnitOfWork
from layers.core.uow import unit_of_work as core_unit_of_work
from layers.tasks import outbox

log = get_logger("tasks.relay")
SQS_BATCH = 10  # SendMessageBatch's limit


@functools.lru_cache(maxsize=4)
def queue_url(name: str) -> str:
    url: str = aws.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]
    return url


@contextmanager
def unit_of_work(read_only: bool = False) -> Iterator[UnitOfWork]:
    """The unit of work requests, tasks and jobs run in: its committed tasks go to SQS at once."""
    # Set aside what an enclosing unit of work queued: this one relays (or drops) only its own
    # tasks, and the enclosing one gets its own back to relay after its own commit.
    enclosing = outbox.take_pending()
    try:
        with core_unit_of_work(after_commit=flush_pending, after_rollback=outbox.take_pending,
                               read_only=read_only) as uow:
            yield uow
    finally:
        outbox.restore_pending(enclosing)


def flush_pending() -> int:
    ids = outbox.take_pending()
    if not ids:
        return 0
    try:
        # Right after a commit, inside the request: a slow SQS must not hold the caller (or a
        # pooled connection) for long; what is not sent now, the sweep sends.
        return send(ids=list(ids), fail_fast=True)
    except Exception:
        log.warning("outbox relay failed; the sweep will send these tasks", exc_info=True)
        return 0


def sweep(batch_size: int = 500) -> dict[str, int]:
    """Send every due pending row, a batch at a time, until none is left or SQS refuses."""
    sent = failed = 0
    while True:
        ok, bad = _send_batch(None, batch_size)
        sent, failed = sent + ok, failed + bad
        if ok == 0 or bad:
            return {"sent": sent, "failed": failed}


def send(ids: list[uuid.UUID], fail_fast: bool = False) -> int:
    ok, _bad = _send_batch(ids, len(ids), fail_fast)
    return ok


def _send_batch(ids: list[uuid.UUID] | None, limit: int, fail_fast: bool = False) -> tuple[int, int]:
    with db.connection() as conn:
        rows = conn.execute(
            "SELECT id, task_type, payload FROM task_outbox"
            " WHERE status = 'pending' AND available_at <= now()"
            " AND (%(ids)s::uuid[] IS NULL OR id = ANY(%(ids)s::uuid[]))"
            " ORDER BY created_at LIMIT %(limit)s FOR UPDATE SKIP LOCKED",
            {"ids": ids, "limit": limit},
        ).fetchall()
        if not rows:
            return 0, 0
        sent, errors = _publish(rows, fail_fast)
        if sent:
            conn.execute("UPDATE task_outbox SET status = 'sent', sent_at = now(), attempts = attempts + 1"
                         " WHERE id = ANY(%s)", (sent,))
        for task_id, error in errors.items():
            conn.execute(
                "UPDATE task_outbox SET attempts = attempts + 1, last_error = %s,"
                " available_at = now() + make_interval(secs => least(300, 5 * power(2, attempts)))"
                " WHERE id = %s",
                (error[:500], task_id),
            )
        conn.commit()
    return len(sent), len(errors)


def _publish(rows: list[dict[str, Any]], fail_fast: bool) -> tuple[list[uuid.UUID], dict[uuid.UUID, str]]:
    sqs = aws.client("sqs", fail_fast)
    sent: list[uuid.UUID] = []
    errors: dict[uuid.UUID, str] = {}
    for start in range(0, len(rows), SQS_BATCH):
        chunk = rows[start:start + SQS_BATCH]
        entries = [{"Id": str(i), "MessageBody": json.dumps(
            {"task_id": str(r["id"]), "task_type": r["task_type"], "payload": r["payload"]})}
            for i, r in enumerate(chunk)]
        try:
            result = sqs.send_message_batch(QueueUrl=queue_url(get_settings().tasks_queue_name),
                                            Entries=entries)
        except Exception as exc:  # noqa: BLE001 - SQS or network down: keep rows pending
            errors.update({r["id"]: type(exc).__name__ for r in chunk})
            continue
        sent += [chunk[int(e["Id"])]["id"] for e in result.get("Successful", [])]
        errors.update({chunk[int(e["Id"])]["id"]: e.get("Code", "failed") for e in result.get("Failed", [])})
    return sent, errors
