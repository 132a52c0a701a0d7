"""progress router: marking posts read, reading history, series completion, totals."""
from __future__ import annotations

from layers.core import db
from layers.core.pagination import Page, PageQuery
from layers.http.context import RequestContext
from layers.http.routing import Router
from layers.schemas.reader import ProgressItem, ProgressStats, ReadIn, ReadOut, SeriesProgress
from layers.services.premium import has_full_access

router = Router("progress")


@router.post("/api/progress/{post_id}/read", auth="user", body=ReadIn, response=ReadOut, errors=(403, 404))
def mark_read(ctx: RequestContext, post_id: int, body: ReadIn) -> dict:
    """Mark a published post read (idempotent; send ``{}`` when there is no reading time).

    The first completion time is kept, and the largest ``read_time_spent`` (seconds) reported.
    The first read of a post earns 10 XP (``xp_awarded``), once, whatever the retries; the level
    is ``1 + xp // 100``. A premium post the caller cannot read in full answers 403.
    """
    from layers.services import progress

    with db.connection() as conn:
        return progress.mark_read(conn, ctx.require_user().id, has_full_access(ctx.user), post_id,
                                  body.read_time_spent)


@router.get("/api/progress", auth="user", query=PageQuery, response=Page[ProgressItem])
def read_posts(ctx: RequestContext, query: PageQuery) -> dict:
    """Posts the caller has read, most recent first, as summaries."""
    from layers.services import progress

    with db.connection() as conn:
        return progress.read_posts(conn, ctx.require_user().id, has_full_access(ctx.user), query)


@router.get("/api/progress/series/{series_id}", auth="user", response=SeriesProgress, errors=(404,))
def series_progress(ctx: RequestContext, series_id: int) -> dict:
    """Completion of one series: read and total published posts, percent (rounded down), and each
    post in order with its ``read`` flag."""
    from layers.services import progress

    with db.connection() as conn:
        return progress.series_progress(conn, ctx.require_user().id, has_full_access(ctx.user), series_id)


@router.get("/api/progress/stats", auth="user", response=ProgressStats)
def stats(ctx: RequestContext) -> dict:
    """Totals: posts read, reading time, series completed (every published post read) and in
    progress, XP and level."""
    from layers.services import progress

    with db.connection() as conn:
        return progress.stats(conn, ctx.require_user().id)
