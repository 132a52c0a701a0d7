"""feed router: RSS and Atom feeds of the newest posts."""
from __future__ import annotations

from layers.core import db
from layers.core.settings import get_settings
from layers.http.context import RequestContext
from layers.http.routing import RawResponse, Router
from layers.schemas.content import FeedQuery

router = Router("feed")


@router.get("/api/feed", query=FeedQuery, media_type="application/rss+xml")
def feed(ctx: RequestContext, query: FeedQuery) -> RawResponse:
    """The 20 newest published posts as RSS 2.0 (`format=rss`, default) or Atom (`format=atom`).

    Answers `application/rss+xml` or `application/atom+xml`. Premium posts carry only their excerpt.
    """
    from layers.services import feed as feed_service

    with db.connection() as conn:
        body = feed_service.build(conn, get_settings(), query.format)
    return RawResponse(body.decode("utf-8"), 200, feed_service.MEDIA_TYPES[query.format],
                       {"Cache-Control": "public, max-age=300"})
