"""Cron-triggered functions, one module each; every run is recorded in ``job_runs``.

Each module declares ``JOB`` (a ``layers.jobs.job.Job``) and gets its ``blueprint`` and
``@schedule`` handler from ``job_function``::

    JOB = Job("token_cleanup", "cron(30 3 * * ? *)", run, "Delete expired tokens")
    blueprint, token_cleanup = job_function(__name__, JOB)

The handler must be a module attribute named after the job: Chalice points the deployed
function at ``scheduled.<module>.<handler name>``. ``jobs()`` finds every ``JOB`` here, so the
admin "run now" endpoint and the schedules can never disagree on which jobs exist.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalice.app import Blueprint

    from layers.jobs.job import Job

Handler = Callable[[Any], dict[str, Any]]


def job_function(module: str, job: Job) -> tuple[Blueprint, Handler]:
    """The blueprint of ``module`` with one ``@schedule`` handler that runs and records ``job``."""
    from chalice.app import Blueprint

    from layers import bootstrap, snapstart
    from layers.core.logging import configure
    from layers.jobs.job import RUN_SCOPED
    from layers.jobs.runs import run_scheduled

    bootstrap.check_parameters(job.run, RUN_SCOPED)  # an unknown parameter fails at import
    configure()  # app middleware does not run for event handlers (aws/chalice#1566)
    snapstart.prepare()  # restore hooks; at a SnapStart init, what the job's function carries
    blueprint = Blueprint(module)

    def handler(event: Any) -> dict[str, Any]:
        return run_scheduled(job, event)

    handler.__name__ = handler.__qualname__ = job.name
    handler.__module__ = module
    # Return Chalice's wrapper, not ``handler``: Lambda calls the module attribute as
    # ``(event, context)`` and only the wrapper takes that and builds the event object.
    wrapped: Handler = blueprint.schedule(job.schedule, name=job.name)(handler)
    return blueprint, wrapped


def jobs() -> dict[str, Job]:
    found: dict[str, Job] = {}
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name.startswith("_"):
            continue
        job = getattr(importlib.import_module(f"{__name__}.{module_info.name}"), "JOB", None)
        if job is not None:
            found[job.name] = job
    return dict(sorted(found.items()))
