"""Regenerating the sitemap (queued when what it lists changes; also run hourly)."""
from __future__ import annotations

from pydantic import BaseModel

from layers.core.db import Db
from layers.tasks.registry import task


class SitemapRefresh(BaseModel):
    pass


@task("generate_sitemap")
def generate_sitemap(db: Db, payload: SitemapRefresh) -> None:
    from layers.services import sitemap

    sitemap.publish(db)
