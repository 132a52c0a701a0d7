"""Sitemap: every published post and series to ``sitemap.xml`` in the site bucket."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalice import Blueprint, Cron

from layers.core.logging import configure
from layers.jobs.job import Counts, Job
from layers.jobs.runs import run_scheduled

configure()  # app middleware does not run for event handlers (aws/chalice#1566)
blueprint = Blueprint(__name__)
SCHEDULE = Cron(15, "*", "*", "*", "?", "*")


def run(at: datetime) -> Counts:
    from layers.core import db
    from layers.services import sitemap

    with db.connection() as conn:
        return sitemap.publish(conn)


JOB = Job("sitemap", SCHEDULE.to_string(), run,
          "Write sitemap.xml (an index and parts past 50,000 URLs) to the site bucket")


@blueprint.schedule(SCHEDULE, name=JOB.name)
def sitemap(event: Any) -> dict[str, Any]:
    return run_scheduled(JOB, event)
