"""bookmarks router: a reader's saved posts."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.pagination import Page, PageQuery
from layers.http.routing import Router
from layers.schemas.bookmarks import BookmarkIn, BookmarkOut, BookmarkStatus
from layers.services.premium import has_full_access

router = Router("bookmarks")


@router.get("/api/bookmarks", auth="user", query=PageQuery, response=Page[BookmarkOut])
def list_bookmarks(db: Db, user: CurrentUser, query: PageQuery) -> dict[str, Any]:
    """Saved published posts, most recently saved first, as summaries (no body; ``locked`` marks
    premium posts the caller cannot read in full)."""
    from layers.services import bookmarks

    return bookmarks.list_for(db, user.id, has_full_access(user), query)


@router.post("/api/bookmarks", auth="user", body=BookmarkIn, response=BookmarkOut, status=201,
             errors=(404, 409))
def add_bookmark(db: Db, user: CurrentUser, body: BookmarkIn) -> dict[str, Any]:
    """Save a published post: 201; 409 when already saved; 404 for an unknown or unpublished post."""
    from layers.services import bookmarks

    return bookmarks.add(db, user.id, has_full_access(user), body.post_id)


@router.delete("/api/bookmarks/{post_id}", auth="user", status=204, errors=(404,))
def remove_bookmark(db: Db, user: CurrentUser, post_id: int) -> None:
    """Unsave a post: 204; 404 when it was not saved."""
    from layers.services import bookmarks

    bookmarks.remove(db, user.id, post_id)


@router.get("/api/bookmarks/{post_id}", auth="user", response=BookmarkStatus, errors=(404,))
def bookmark_status(db: Db, user: CurrentUser, post_id: int) -> dict[str, bool]:
    """Whether the caller saved this post; 404 for a post that is neither saved nor published."""
    from layers.services import bookmarks

    return {"bookmarked": bookmarks.status(db, user.id, post_id)}
