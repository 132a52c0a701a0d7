"""series router: ordered collections of posts, progress through them, and navigation.

Every route under ``/api/series/`` names its path variable ``series_id`` (API Gateway allows one
variable name per path level); on the public GET routes it holds the series' slug.
"""
from __future__ import annotations

from layers.core import db
from layers.core.pagination import Page, PageQuery
from layers.http.context import RequestContext
from layers.http.routing import Router
from layers.schemas.content import NavigationQuery, SeriesCreate, SeriesNavigation, SeriesOut, SeriesUpdate

router = Router("series")


@router.get("/api/series", query=PageQuery, response=Page[SeriesOut])
def list_series(ctx: RequestContext, query: PageQuery) -> dict:
    """Every series by title, each with its published posts in order."""
    from layers.services import series

    with db.connection() as conn:
        return series.list_page(conn, query)


@router.get("/api/series/{series_id}", response=SeriesOut, errors=(404,))
def get_series(ctx: RequestContext, series_id: str) -> dict:
    """One series by slug, with its published posts in order and, when signed in, the caller's progress."""
    from layers.services import series

    with db.connection() as conn:
        return series.get_by_slug(conn, series_id, ctx.user_id)


@router.get("/api/series/{series_id}/navigation", query=NavigationQuery, response=SeriesNavigation,
            errors=(404,))
def navigation(ctx: RequestContext, series_id: str, query: NavigationQuery) -> dict:
    """The posts before and after `post` (a post slug) in the series given by slug; null at either end."""
    from layers.services import series

    with db.connection() as conn:
        return series.navigation(conn, series_id, query.post)


@router.post("/api/series", auth="admin", body=SeriesCreate, response=SeriesOut, status=201, errors=(409,))
def create_series(ctx: RequestContext, body: SeriesCreate) -> dict:
    """Create a series; the slug is derived from the title when left out."""
    from layers.services import series

    with db.connection() as conn:
        return series.create(conn, body.title, body.slug, body.description)


@router.patch("/api/series/{series_id}", auth="admin", body=SeriesUpdate, response=SeriesOut, errors=(404, 409))
def update_series(ctx: RequestContext, series_id: int, body: SeriesUpdate) -> dict:
    """Change only the fields sent."""
    from layers.services import series

    with db.connection() as conn:
        return series.update(conn, series_id, body.model_dump(include=body.model_fields_set))


@router.delete("/api/series/{series_id}", auth="admin", status=204, errors=(404,))
def delete_series(ctx: RequestContext, series_id: int) -> None:
    """Delete a series; its posts stay, outside any series."""
    from layers.services import series

    with db.connection() as conn:
        series.delete(conn, series_id)
