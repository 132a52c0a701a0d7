"""admin_tasks router: the task queue, its dead letters, and the scheduled jobs."""
from __future__ import annotations

from typing import Any

from layers.core.aws import Clients
from layers.core.db import Db
from layers.core.errors import NotFound
from layers.core.settings import Settings
from layers.http.routing import Router
from layers.schemas.admin_tasks import JobRun, RedriveResult, TasksOverview

router = Router("admin_tasks", tag="admin")
RECENT_RUNS = 10


@router.get("/api/admin/tasks", auth="admin", response=TasksOverview)
def task_overview(db: Db, settings: Settings, aws: Clients) -> dict[str, Any]:
    """Queue and dead-letter depths, the outbox backlog, the recent runs of every job, and the
    last 20 failures of content revalidation (CDN, frontend, IndexNow).

    A queue SQS cannot report on shows `available: false` and null depths.
    """
    from layers.services import task_admin
    from scheduled import jobs

    return task_admin.overview(db, aws("sqs"), settings, jobs(), RECENT_RUNS)


@router.post("/api/admin/tasks/{job}/run", auth="admin", response=JobRun, errors=(404, 409))
def run_job_now(job: str) -> dict[str, Any]:
    """Run a scheduled job now and answer its recorded run (outcome `failed` if it failed).

    409 while another run of the same job is in progress; 404 for an unknown job.
    """
    from layers.jobs.runs import run_job
    from scheduled import jobs

    found = jobs().get(job)
    if found is None:
        raise NotFound("unknown job")
    # The run has its own unit of work and run records: this request's connection stays unused.
    return run_job(found, "manual")


@router.post("/api/admin/tasks/dead-letter/redrive", auth="admin", response=RedriveResult, errors=(503,))
def redrive_dead_letters(settings: Settings, aws: Clients) -> dict[str, Any]:
    """Move dead-lettered tasks back to the task queue; answers how many moved (503 if SQS is down)."""
    from layers.services import task_admin

    return task_admin.redrive(aws("sqs"), settings)
