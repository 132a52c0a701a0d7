"""series router: ordered collections of posts, progress through them, and navigation.

Every route under ``/api/series/`` names its path variable ``series_ref`` (API Gateway allows one
variable name per path level): on the public GET routes it holds the series' slug, on the admin
writes its id (``layers.http.path_refs``).
"""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.pagination import Page, PageQuery
from layers.http.path_refs import slug_lookup
from layers.http.routing import Router
from layers.schemas.series import NavigationQuery, SeriesCreate, SeriesNavigation, SeriesOut, SeriesUpdate
from layers.services import series

router = Router("series")


@router.get("/api/series", query=PageQuery, response=Page[SeriesOut])
def list_series(db: Db, query: PageQuery) -> dict[str, Any]:
    """Every series by title, each with its published posts in order."""
    return series.list_page(db, query)


@router.get("/api/series/{series_ref}", response=SeriesOut, errors=(404,))
def get_series(db: Db, viewer: CurrentUser | None, series_ref: str) -> dict[str, Any]:
    """One series by slug, with its published posts in order and, when signed in, the caller's progress
    (`percent` rounded down to one decimal place)."""
    with slug_lookup("series_ref", series_ref):
        return series.get_by_slug(db, series_ref, viewer.id if viewer else None)


@router.get("/api/series/{series_ref}/navigation", query=NavigationQuery, response=SeriesNavigation,
            errors=(404,))
def navigation(db: Db, series_ref: str, query: NavigationQuery) -> dict[str, Any]:
    """The posts before and after `post` (a post slug) in the series given by slug; null at either end."""
    with slug_lookup("series_ref", series_ref):
        return series.navigation(db, series_ref, query.post)


@router.post("/api/series", auth="admin", body=SeriesCreate, response=SeriesOut, status=201, errors=(409,))
def create_series(db: Db, body: SeriesCreate) -> dict[str, Any]:
    """Create a series; the slug is derived from the title when left out."""
    return series.create(db, body)


@router.patch("/api/series/{series_ref}", auth="admin", body=SeriesUpdate, response=SeriesOut, errors=(404, 409))
def update_series(db: Db, series_ref: int, body: SeriesUpdate) -> dict[str, Any]:
    """Change only the fields sent."""
    return series.update(db, series_ref, body)


@router.delete("/api/series/{series_ref}", auth="admin", status=204, errors=(404,))
def delete_series(db: Db, series_ref: int) -> None:
    """Delete a series; its posts stay, outside any series."""
    series.delete(db, series_ref)
