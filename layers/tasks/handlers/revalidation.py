"""``revalidate_content`` and ``indexnow_submit``: tell the outside world that content changed.

``revalidate_content`` takes its subject's pending paths (``layers.services.revalidation``) and
sends them to every configured target, frontend first, then the CDN. A target that refuses (a
4xx) is recorded and skipped: a retry would be refused again. Any other failure (a 5xx, a
timeout, the target unreachable) is recorded and fails the task: its transaction rolls back,
putting the paths back, and SQS delivers the task again after the worker's back-off, up to the
dead-letter queue. The failure record is written on a connection of its own so that it
survives that rollback; the admin task page lists these records.

A target may see the same paths twice (its call succeeded, a later one failed, the task is
retried): the batch's ``reference`` is the same for the same task and paths, which CloudFront
uses as the invalidation's caller reference (a repeat creates no second invalidation) and the
frontend receives as ``Idempotency-Key``. With no target configured the task only clears the
pending row.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from pydantic import BaseModel, Field

from layers.core.db import Db
from layers.core.logging import get_logger
from layers.core.ports import Revalidation, RevalidationRejected, SearchEngineNotifier
from layers.tasks.registry import task

log = get_logger("tasks.revalidation")


class RevalidateContent(BaseModel):
    """``key`` names the pending row that holds the paths to send (the union of every change
    merged into it). ``paths`` are those of the change that queued the task, so a dead-lettered
    message says what it was about; the row, not the payload, decides what is sent."""

    key: str = Field(min_length=1, max_length=300)  # the coalescing key: "post:12", "tag:3" ...
    paths: list[str] = Field(default_factory=list, max_length=10_000)


class IndexNowSubmit(BaseModel):
    urls: list[str] = Field(min_length=1, max_length=10_000)  # IndexNow's limit per request


@task("revalidate_content")
def revalidate_content(db: Db, payload: RevalidateContent, revalidation: Revalidation) -> None:
    from layers.services import revalidation as pending

    batch = pending.take(db, payload.key)
    if batch is None:
        log.info("nothing pending", extra={"key": payload.key})
        return
    for target in revalidation.targets():
        _send(db, target.name, batch.task_id, batch.paths, partial(target.revalidate, batch.paths, batch.reference))
    log.info("content revalidated", extra={"key": payload.key, "paths": len(batch.paths)})


@task("indexnow_submit")
def indexnow_submit(db: Db, payload: IndexNowSubmit, indexnow: SearchEngineNotifier) -> None:
    if indexnow.enabled:
        _send(db, "indexnow", None, payload.urls, partial(indexnow.submit, payload.urls))


def _send(db: Db, target: str, task_id: str | None, paths: Sequence[str], call: Callable[[], None]) -> None:
    from layers.services import revalidation as pending

    try:
        call()
    except RevalidationRejected as exc:
        log.warning("revalidation refused", extra={"target": target, "error": str(exc)})
        pending.record_failure(db, task_id, target, str(exc), retried=False, path_count=len(paths))
    except Exception as exc:
        log.warning("revalidation failed; the task will be retried", extra={"target": target, "error": str(exc)})
        _record_apart(task_id, target, str(exc) or type(exc).__name__, len(paths))
        raise


def _record_apart(task_id: str | None, target: str, error: str, path_count: int) -> None:
    """Record a failure in its own transaction: the task's own is about to roll back."""
    from layers.core import db as database
    from layers.services import revalidation as pending

    try:
        with database.connection() as conn:
            pending.record_failure(conn, task_id, target, error, retried=True, path_count=path_count)
            conn.commit()
    except Exception:  # the retry matters more than its record
        log.warning("could not record the revalidation failure", exc_info=True)
