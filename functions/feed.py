"""feed router: RSS and Atom feeds of the newest posts."""
from __future__ import annotations

from layers.core.db import Db
from layers.core.settings import Settings
from layers.http.routing import RawResponse, Router
from layers.schemas.feed import FeedQuery
from layers.services import feed as feed_service

router = Router("feed")


@router.get("/api/feed", query=FeedQuery, media_type="application/rss+xml",
            other_media_types=("application/atom+xml",))
def feed(db: Db, settings: Settings, query: FeedQuery) -> RawResponse:
    """The 20 newest published posts as RSS 2.0 (`format=rss`, default) or Atom (`format=atom`).

    Answers `application/rss+xml` or `application/atom+xml`. Premium posts carry only their excerpt.
    """
    body = feed_service.build(db, settings, query.format)
    return RawResponse(body.decode("utf-8"), 200, feed_service.MEDIA_TYPES[query.format],
                       {"Cache-Control": "public, max-age=300"})
