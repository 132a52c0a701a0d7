"""progress router: marking posts read, reading history, series completion, totals."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.pagination import Page, PageQuery
from layers.http.docstrings import described
from layers.http.routing import Router
from layers.schemas.progress import ProgressItem, ProgressStats, ReadIn, ReadOut, SeriesProgress
from layers.services import progress
from layers.services.gamification import levels
from layers.services.premium import has_full_access

router = Router("progress")


@router.post("/api/progress/{post_id}/read", auth="user", body=ReadIn, response=ReadOut, errors=(403, 404))
@described(read_xp=progress.READ_XP, level_rule=levels.describe())
def mark_read(db: Db, user: CurrentUser, post_id: int, body: ReadIn) -> dict[str, Any]:
    """Mark a published post read (idempotent; send ``{}`` when there is no reading time).

    The first completion time is kept, and the largest ``read_time_spent`` (seconds) reported.
    The first read of a post earns {read_xp} XP (``xp_awarded``), once, whatever the retries;
    {level_rule}. A premium post the caller cannot read in full answers 403.
    """
    return progress.mark_read(db, user.id, has_full_access(user), post_id, body.read_time_spent)


@router.get("/api/progress", auth="user", query=PageQuery, response=Page[ProgressItem])
def read_posts(db: Db, user: CurrentUser, query: PageQuery) -> dict[str, Any]:
    """Posts the caller has read, most recent first, as summaries."""
    return progress.read_posts(db, user.id, has_full_access(user), query)


@router.get("/api/progress/series/{series_id}", auth="user", response=SeriesProgress, errors=(404,))
def series_progress(db: Db, user: CurrentUser, series_id: int) -> dict[str, Any]:
    """Completion of one series: read and total published posts, percent (rounded down), and each
    post in order with its ``read`` flag."""
    return progress.series_progress(db, user.id, has_full_access(user), series_id)


@router.get("/api/progress/stats", auth="user", response=ProgressStats)
@described(level_rule=levels.describe())
def stats(db: Db, user: CurrentUser) -> dict[str, Any]:
    """Totals: posts read, reading time, series completed (every published post read) and in
    progress, XP and level.

    The level follows the XP: {level_rule}.
    """
    return progress.stats(db, user.id)
