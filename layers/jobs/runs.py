"""Run a job and record the run in ``job_runs`` (start, end, outcome, counts).

A run holds a PostgreSQL advisory lock named after its job for as long as it lasts, so the
schedule and an admin's "run now" never overlap; the lock dies with the session if the process
does. The start is committed before the job begins, so a run that crashes the process still
shows up (as ``running``) until the job's next run, which holds the lock and so knows that run
is dead, marks it failed.

The job's own work runs in one unit of work (``layers.tasks.relay.unit_of_work``), like a request
or a task message: it commits when the job returns, rolls back when it raises, and the tasks it
enqueued go to SQS right after the commit.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

from layers import bootstrap
from layers.core import db
from layers.core.db import Db
from layers.core.errors import Conflict
from layers.core.logging import get_logger
from layers.core.uow import UnitOfWork
from layers.jobs.job import Counts, Job

log = get_logger("jobs")
Trigger = Literal["schedule", "manual"]
_LOCK_NAMESPACE = 7001  # first key of the two-key advisory lock; the second is the job's hash
_RUN_COLUMNS = "id, job, trigger, started_at, finished_at, outcome, counts, error"


@dataclass
class _Run:
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    row: dict[str, Any] | None = None


class JobAlreadyRunning(Conflict):
    """Another run of this job has not finished yet."""


class JobFailed(RuntimeError):
    """Raised to a scheduled invocation whose run failed, so Lambda reports (and retries) it."""


def run_job(job: Job, trigger: Trigger, at: datetime | None = None) -> dict[str, Any]:
    """Run ``job`` now and return its ``job_runs`` row; a failing job gives outcome ``failed``."""
    from layers.tasks import relay

    at = at or bootstrap.provide("clock").now()
    with _exclusive_run(job.name, trigger) as run:
        try:
            with relay.unit_of_work() as uow:
                run.counts.update(uow.run(lambda: _call(job, at, uow)))
        except Exception as exc:
            log.exception("job failed", extra={"job": job.name})
            run.error = f"{type(exc).__name__}: {exc}"[:1000]
    assert run.row is not None  # set when the run is recorded as finished
    return run.row


def _call(job: Job, at: datetime, uow: UnitOfWork) -> Counts:
    given: dict[str, Any] = {"at": at}
    if "db" in bootstrap.parameters(job.run):  # only a job that queries checks out a connection
        given["db"] = uow.conn
    counts: Counts = bootstrap.call(job.run, given)
    return counts


def run_scheduled(job: Job, event: Any) -> dict[str, Any]:
    """Entry point of a ``@schedule`` handler: the run's time is the event's scheduled time, so a
    retried invocation works on the same day's data as the original."""
    try:
        row = run_job(job, "schedule", _event_time(event))
    except JobAlreadyRunning:
        log.info("job already running; this invocation does nothing", extra={"job": job.name})
        return {"job": job.name, "outcome": "skipped"}
    if row["outcome"] == "failed":
        raise JobFailed(f"job {job.name} failed: {row['error']}")
    return {"job": job.name, "run_id": row["id"], "outcome": row["outcome"], "counts": row["counts"]}


@contextmanager
def _exclusive_run(job: str, trigger: Trigger) -> Iterator[_Run]:
    from psycopg.types.json import Jsonb

    with db.connection() as conn:
        lock = conn.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s)) AS ok",
                            (_LOCK_NAMESPACE, job)).fetchone()
        conn.commit()
        if lock is None or not lock["ok"]:
            raise JobAlreadyRunning(f"job {job!r} is already running")
        try:
            conn.execute("UPDATE job_runs SET outcome = 'failed', finished_at = clock_timestamp(),"
                         " error = 'interrupted: the process ended before the run finished'"
                         " WHERE job = %s AND outcome = 'running'", (job,))
            started = conn.execute("INSERT INTO job_runs (job, trigger) VALUES (%s, %s) RETURNING id",
                                   (job, trigger)).fetchone()
            assert started is not None  # INSERT ... RETURNING always yields the row
            conn.commit()
            run = _Run()
            yield run
            run.row = conn.execute(
                "UPDATE job_runs SET finished_at = clock_timestamp(), outcome = %s, counts = %s, error = %s"
                f" WHERE id = %s RETURNING {_RUN_COLUMNS}",
                ("failed" if run.error else "succeeded", Jsonb(run.counts), run.error, started["id"]),
            ).fetchone()
            conn.commit()
        finally:
            _unlock(conn, job)


def _unlock(conn: Db, job: str) -> None:
    try:
        conn.rollback()
        conn.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", (_LOCK_NAMESPACE, job))
        conn.commit()
    except Exception:
        log.warning("could not release job lock", extra={"job": job}, exc_info=True)


def _event_time(event: Any) -> datetime:
    raw = getattr(event, "time", None) or (event.get("time") if isinstance(event, dict) else None)
    try:
        at = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(timezone.utc)
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)
