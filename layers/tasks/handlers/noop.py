"""``noop``: a task with no effect beyond the worker's own idempotency record.

Used to check the pipeline end to end (outbox, relay, queue, worker) and to measure it
(``benchmarks/tasks_throughput.py``) without the cost of any one handler.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from layers.tasks.registry import task


class Noop(BaseModel):
    note: str = Field("", max_length=200)


@task("noop")
def noop(conn: Any, payload: Noop) -> None:
    return None
