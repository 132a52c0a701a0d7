"""A scheduled job: a name, its EventBridge schedule, and a function of the run's logical time."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

# The counts a run reports (``{"sent": 12}``); stored in ``job_runs.counts``.
Counts = dict[str, int]


@dataclass(frozen=True)
class Job:
    name: str
    schedule: str  # as EventBridge spells it: "cron(0 7 * * ? *)"
    run: Callable[[datetime], Counts]
    description: str = ""
