"""Sitemap: every published post and series to ``sitemap.xml`` in the site bucket."""
from __future__ import annotations

from layers.core.aws import Clients
from layers.core.db import Db
from layers.core.settings import Settings
from layers.jobs.job import Counts, Job
from scheduled import job_function


def run(db: Db, settings: Settings, aws: Clients) -> Counts:
    from layers.services import sitemap

    return sitemap.publish(db, aws("s3"), settings.site_bucket, settings.frontend_origin)


JOB = Job("sitemap", "cron(15 * * * ? *)", run,
          "Write sitemap.xml (an index and parts past 50,000 URLs) to the site bucket")
blueprint, sitemap = job_function(__name__, JOB)
