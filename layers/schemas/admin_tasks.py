"""Response models of the admin_tasks router."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


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


class RevalidationFailure(BaseModel):
    task_id: str | None
    target: str  # frontend, cloudfront, indexnow
    retried: bool  # true: the task failed and SQS retries it; false: refused (4xx), not retried
    error: str
    path_count: int
    created_at: datetime


class TasksOverview(BaseModel):
    queue: QueueState
    dead_letter: QueueState
    outbox: OutboxState
    revalidation_failures: list[RevalidationFailure]  # newest first, the last 20
    jobs: list[JobState]


class RedriveResult(BaseModel):
    moved: int
    dead_letter: QueueState
