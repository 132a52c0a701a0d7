"""recommendations router: what to read next."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.pagination import PageQuery
from layers.http.routing import Router
from layers.schemas.recommendations import RecommendationPage
from layers.services import recommendations as service
from layers.services.premium import has_full_access

router = Router("recommendations")


@router.get("/api/recommendations", query=PageQuery, response=RecommendationPage)
def recommendations(db: Db, viewer: CurrentUser | None, query: PageQuery) -> dict[str, Any]:
    """Published posts to read next, as summaries (never the body; ``locked`` marks premium posts
    the caller cannot read in full).

    Rule. Signed in with reading history (``strategy: "personalised"``): unread published posts
    sharing tags or a series with posts the caller read; ``score`` = distinct shared tags + 1 for
    a shared series; ranked by score, then newest first. Otherwise (anonymous, no reads, or
    nothing related left unread; ``strategy: "popular"``): published posts ranked by views in the
    last 30 days, then by all-time view count, then newest first, leaving out posts the caller
    has read.
    """
    return service.recommend(db, viewer.id if viewer else None, has_full_access(viewer), query)
