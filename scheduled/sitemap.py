"""Sitemap: every published post and series to ``sitemap.xml`` in the site bucket.

When the written sitemap differs from the one it replaces, the CDN's copies of the changed files
are purged and the changed URLs go to IndexNow (when ``INDEXNOW_KEY`` is set), both through the
task queue, queued in this run's transaction.
"""
from __future__ import annotations

from layers.core.aws import Clients
from layers.core.db import Db
from layers.core.settings import Settings
from layers.jobs.job import Counts, Job
from scheduled import job_function


def run(db: Db, settings: Settings, aws: Clients) -> Counts:
    from layers.services import revalidation, sitemap

    written = sitemap.write(db, aws("s3"), settings.site_bucket, settings.frontend_origin)
    if written.changed_files:
        revalidation.sitemap_changed(db, written.changed_files)
    return {**written.counts, "indexnow_tasks": revalidation.notify_search_engines(db, written.changed_urls)}


JOB = Job("sitemap", "cron(15 * * * ? *)", run,
          "Write sitemap.xml (an index and parts past 50,000 URLs) to the site bucket")
blueprint, sitemap = job_function(__name__, JOB)
