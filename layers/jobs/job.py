"""A scheduled job: a name, its EventBridge schedule, and the function one run calls."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# The counts a run reports (``{"sent": 12}``); stored in ``job_runs.counts``.
Counts = dict[str, int]


@dataclass(frozen=True)
class Job:
    """``run`` declares what it needs by parameter name, like a handler: ``at`` (the run's logical
    time, an aware UTC datetime), ``db`` (the run's unit of work) and any provider of
    ``layers.bootstrap`` (``settings``, ``aws``, ``clock`` ...). It returns the run's counts."""

    name: str
    schedule: str  # as EventBridge spells it: "cron(0 7 * * ? *)"
    run: Callable[..., Counts]
    description: str = ""


# What the job runner itself supplies; anything else a job names comes from layers.bootstrap.
RUN_SCOPED = frozenset({"at", "db"})
