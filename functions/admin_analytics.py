"""admin_analytics router: site totals and per-post activity over a date range."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.pagination import Page
from layers.http.routing import Router
from layers.schemas.admin_analytics import AnalyticsOverview, DateRangeQuery, PostAnalytics, PostAnalyticsQuery

router = Router("admin_analytics")


@router.get("/api/admin/analytics/overview", auth="admin", query=DateRangeQuery, response=AnalyticsOverview)
def overview(db: Db, query: DateRangeQuery) -> dict[str, Any]:
    """Totals over ``?from=YYYY-MM-DD&to=YYYY-MM-DD`` (UTC days, inclusive; default the last 30
    days ending today): users and new users, published and newly published posts, views, reads,
    reactions, comments. ``from`` after ``to``: 422."""
    from layers.services import analytics

    return analytics.overview(db, query)


@router.get("/api/admin/analytics/posts", auth="admin", query=PostAnalyticsQuery, response=Page[PostAnalytics])
def per_post(db: Db, query: PostAnalyticsQuery) -> dict[str, Any]:
    """Views, reads, reactions and comments per post over the range (as for the overview), every
    post included, sorted by ``?sort=views|reads|reactions|comments`` (default views)."""
    from layers.services import analytics

    return analytics.per_post(db, query)
