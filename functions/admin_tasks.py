"""admin_tasks router: the task queue, its dead letters, and the scheduled jobs."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from layers.core import db
from layers.core.errors import NotFound
from layers.core.settings import get_settings
from layers.http.context import RequestContext
from layers.http.routing import Router

router = Router("admin_tasks", tag="admin")
RECENT_RUNS = 10


class QueueState(BaseModel):
    name: str
    available: bool
    depth: int | None  # waiting + in flight
    visible: int | None
    in_flight: int | None


class OutboxState(BaseModel):
    pending: int
    oldest_created_at: datetime | None


class JobRun(BaseModel):
    id: int
    job: str
    trigger: Literal["schedule", "manual"]
    started_at: datetime
    finished_at: datetime | None
    outcome: Literal["running", "succeeded", "failed"]
    counts: dict[str, int]
    error: str | None


class JobState(BaseModel):
    name: str
    schedule: str
    description: str
    recent_runs: list[JobRun]


class TasksOverview(BaseModel):
    queue: QueueState
    dead_letter: QueueState
    outbox: OutboxState
    jobs: list[JobState]


class RedriveResult(BaseModel):
    moved: int
    dead_letter: QueueState


@router.get("/api/admin/tasks", auth="admin", response=TasksOverview)
def task_overview(ctx: RequestContext) -> dict:
    """Queue and dead-letter depths, the outbox backlog and the recent runs of every job.

    A queue SQS cannot report on shows `available: false` and null depths.
    """
    from layers.core import aws
    from layers.services import task_admin
    from scheduled import jobs

    with db.connection() as conn:
        return task_admin.overview(conn, aws.client("sqs"), get_settings(), jobs(), RECENT_RUNS)


@router.post("/api/admin/tasks/{job}/run", auth="admin", response=JobRun, errors=(404, 409))
def run_job_now(ctx: RequestContext, job: str) -> dict:
    """Run a scheduled job now and answer its recorded run (outcome `failed` if it failed).

    409 while another run of the same job is in progress; 404 for an unknown job.
    """
    from layers.jobs.runs import run_job
    from scheduled import jobs

    found = jobs().get(job)
    if found is None:
        raise NotFound("unknown job")
    return run_job(found, "manual")


@router.post("/api/admin/tasks/dead-letter/redrive", auth="admin", response=RedriveResult, errors=(503,))
def redrive_dead_letters(ctx: RequestContext) -> dict:
    """Move dead-lettered tasks back to the task queue; answers how many moved (503 if SQS is down)."""
    from layers.core import aws
    from layers.services import task_admin

    return task_admin.redrive(aws.client("sqs"), get_settings())
