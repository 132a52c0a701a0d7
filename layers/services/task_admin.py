"""What the admin task page shows and does: queue depths, outbox backlog, dead-letter redrive."""
from __future__ import annotations

from typing import Any

from layers.core.errors import DependencyUnavailable
from layers.core.logging import get_logger

log = get_logger("tasks.admin")
REDRIVE_LIMIT = 10_000  # per call: bounds the request's duration; the answer says what is left
_EMPTY_RECEIVES = 3  # short polls can miss messages on a real queue; retry before calling it empty


def overview(conn: Any, sqs: Any, settings: Any, jobs: dict[str, Any], runs_per_job: int) -> dict[str, Any]:
    """``jobs``: name -> ``layers.jobs.job.Job``, each shown with its latest runs."""
    from layers.jobs.runs import recent_runs

    runs = recent_runs(conn, list(jobs), runs_per_job)
    return {
        "queue": queue_depth(sqs, settings.tasks_queue_name),
        "dead_letter": queue_depth(sqs, settings.tasks_dlq_name),
        "outbox": outbox_backlog(conn),
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


def outbox_backlog(conn: Any) -> dict[str, Any]:
    return conn.execute(
        "SELECT count(*) AS pending, min(created_at) AS oldest_created_at FROM task_outbox WHERE status = 'pending'"
    ).fetchone()


def redrive(sqs: Any, settings: Any, limit: int = REDRIVE_LIMIT) -> dict[str, Any]:
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
