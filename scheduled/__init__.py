"""Cron-triggered functions, one module each; every run is recorded in ``job_runs``.

Each module defines ``blueprint`` (its ``@blueprint.schedule`` handler) and ``JOB`` (a
``layers.jobs.job.Job``). ``jobs()`` finds every ``JOB`` here, so the admin "run now" endpoint
and the schedules can never disagree on which jobs exist.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from layers.jobs.job import Job


def jobs() -> dict[str, Job]:
    found: dict[str, Job] = {}
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name.startswith("_"):
            continue
        job = getattr(importlib.import_module(f"{__name__}.{module_info.name}"), "JOB", None)
        if job is not None:
            found[job.name] = job
    return dict(sorted(found.items()))
