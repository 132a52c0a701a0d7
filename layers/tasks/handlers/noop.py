"""``noop``: a task with no effect beyond the worker's own idempotency record.

Used to check the pipeline end to end (outbox, relay, queue, worker) and to measure it
(``benchmarks/tasks_throughput.py``) without the cost of any one handler.
"""
from __future__ import annotations

from pydantic import BaseModel, Field

from layers.core.db import Db
from layers.tasks.registry import task


class Noop(BaseModel):
    note: str = Field("", max_length=200)


@task("noop")
def noop(db: Db, payload: Noop) -> None:
    return None
