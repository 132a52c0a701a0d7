"""bookmarks router: a reader's saved posts."""
from __future__ import annotations

from layers.core import db
from layers.core.pagination import Page, PageQuery
from layers.http.context import RequestContext
from layers.http.routing import Router
from layers.schemas.reader import BookmarkIn, BookmarkOut, BookmarkStatus
from layers.services.premium import has_full_access

router = Router("bookmarks")


@router.get("/api/bookmarks", auth="user", query=PageQuery, response=Page[BookmarkOut])
def list_bookmarks(ctx: RequestContext, query: PageQuery) -> dict:
    """Saved published posts, most recently saved first, as summaries (no body; ``locked`` marks
    premium posts the caller cannot read in full)."""
    from layers.services import bookmarks

    with db.connection() as conn:
        return bookmarks.list_for(conn, ctx.require_user().id, has_full_access(ctx.user), query)


@router.post("/api/bookmarks", auth="user", body=BookmarkIn, response=BookmarkOut, status=201,
             errors=(404, 409))
def add_bookmark(ctx: RequestContext, body: BookmarkIn) -> dict:
    """Save a published post: 201; 409 when already saved; 404 for an unknown or unpublished post."""
    from layers.services import bookmarks

    with db.connection() as conn:
        return bookmarks.add(conn, ctx.require_user().id, has_full_access(ctx.user), body.post_id)


@router.delete("/api/bookmarks/{post_id}", auth="user", status=204, errors=(404,))
def remove_bookmark(ctx: RequestContext, post_id: int) -> None:
    """Unsave a post: 204; 404 when it was not saved."""
    from layers.services import bookmarks

    with db.connection() as conn:
        bookmarks.remove(conn, ctx.require_user().id, post_id)


@router.get("/api/bookmarks/{post_id}", auth="user", response=BookmarkStatus, errors=(404,))
def bookmark_status(ctx: RequestContext, post_id: int) -> dict:
    """Whether the caller saved this post; 404 for a post that is neither saved nor published."""
    from layers.services import bookmarks

    with db.connection() as conn:
        return {"bookmarked": bookmarks.status(conn, ctx.require_user().id, post_id)}
