"""What the admin task page shows and does: queue depths, outbox backlog, recent revalidation
failures, dead-letter redrive."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from layers.core.db import Db
from layers.core.errors import DependencyUnavailable
from layers.core.logging import get_logger
from layers.core.settings import Settings

log = get_logger("tasks.admin")
REDRIVE_LIMIT = 10_000  # per call: bounds the request's duration; the answer says what is left
_EMPTY_RECEIVES = 3  # short polls can miss messages on a real queue; retry before calling it empty
_RUN_COLUMNS = "id, job, trigger, started_at, finished_at, outcome, counts, error"


class JobInfo(Protocol):
    """What the page shows of a scheduled job (``layers.jobs.job.Job`` has it)."""

    @property
    def name(self) -> str: ...
    @property
    def schedule(self) -> str: ...
    @property
    def description(self) -> str: ...


def overview(conn: Db, sqs: Any, settings: Settings, jobs: Mapping[str, JobInfo],
             runs_per_job: int) -> dict[str, Any]:
    """Queue depths, outbox backlog, recent revalidation failures, each of ``jobs`` with its runs."""
    from layers.services import revalidation

    runs = recent_runs(conn, list(jobs), runs_per_job)
    return {
        "queue": queue_depth(sqs, settings.tasks_queue_name),
        "dead_letter": queue_depth(sqs, settings.tasks_dlq_name),
        "outbox": outbox_backlog(conn),
        "revalidation_failures": revalidation.recent_failures(conn),
        "jobs": [{"name": job.name, "schedule": job.schedule, "description": job.description,
                  "recent_runs": runs[job.name]} for job in jobs.values()],
    }


def queue_depth(sqs: Any, queue_name: str) -> dict[str, Any]:
    """``depth`` counts messages waiting and in flight; None values when SQS cannot be reached."""
    from layers.tasks.relay import queue_url

    try:
        attrs = sqs.get_queue_attributes(
            QueueUrl=queue_url(queue_name),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                            "ApproximateNumberOfMessagesDelayed"],
        )["Attributes"]
    except Exception:
        log.warning("queue attributes unavailable", extra={"queue": queue_name}, exc_info=True)
        return {"name": queue_name, "available": False, "depth": None, "visible": None, "in_flight": None}
    visible = int(attrs.get("ApproximateNumberOfMessages", 0)) + int(attrs.get("ApproximateNumberOfMessagesDelayed", 0))
    in_flight = int(attrs.get("ApproximateNumberOfMessagesNotVisible", 0))
    return {"name": queue_name, "available": True, "depth": visible + in_flight, "visible": visible,
            "in_flight": in_flight}


def recent_runs(conn: Db, jobs: list[str], per_job: int = 10) -> dict[str, list[dict[str, Any]]]:
    """The latest ``per_job`` recorded runs of each job, newest first."""
    rows = conn.execute(
        "SELECT r.* FROM unnest(%s::text[]) AS j(name)"
        f" CROSS JOIN LATERAL (SELECT {_RUN_COLUMNS} FROM job_runs WHERE job = j.name"
        "  ORDER BY started_at DESC, id DESC LIMIT %s) AS r",
        (jobs, per_job),
    ).fetchall()
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in jobs}
    for row in rows:
        out[row["job"]].append(row)
    return out


def outbox_backlog(conn: Db) -> dict[str, Any]:
    row: dict[str, Any] | None = conn.execute(
        "SELECT count(*) AS pending, min(created_at) AS oldest_created_at FROM task_outbox WHERE status = 'pending'"
    ).fetchone()
    assert row is not None  # an aggregate always yields one row
    return row


def redrive(sqs: Any, settings: Settings, limit: int = REDRIVE_LIMIT) -> dict[str, Any]:
    """Move dead-lettered messages back to the task queue: ``{moved, dead_letter}``.

    Each message is sent before it is deleted, so a failure in between duplicates it rather than
    losing it, and the worker's task-id deduplication makes the duplicate harmless.
    """
    try:
        moved = _redrive(sqs, settings.tasks_dlq_name, settings.tasks_queue_name, limit)
    except Exception as exc:
        raise DependencyUnavailable("the task queue is unavailable") from exc
    return {"moved": moved, "dead_letter": queue_depth(sqs, settings.tasks_dlq_name)}


def _redrive(sqs: Any, dead_letter_queue: str, queue: str, limit: int) -> int:
    from layers.tasks.relay import queue_url

    source, target = queue_url(dead_letter_queue), queue_url(queue)
    moved = empty = 0
    while moved < limit and empty < _EMPTY_RECEIVES:
        messages = sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=min(10, limit - moved),
                                       VisibilityTimeout=60, WaitTimeSeconds=0).get("Messages", [])
        if not messages:
            empty += 1
            continue
        empty = 0
        sent = _move(sqs, messages, source, target)
        moved += sent
        if sent < len(messages):
            break  # the task queue refuses: stop rather than spin; the rest stay dead-lettered
    return moved


def _move(sqs: Any, messages: list[dict[str, Any]], source: str, target: str) -> int:
    result = sqs.send_message_batch(QueueUrl=target, Entries=[
        {"Id": str(i), "MessageBody": m["Body"]} for i, m in enumerate(messages)])
    ok = [messages[int(entry["Id"])] for entry in result.get("Successful", [])]
    if ok:
        sqs.delete_message_batch(QueueUrl=source, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(ok)])
    return len(ok)
