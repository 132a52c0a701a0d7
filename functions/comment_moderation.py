"""comment_moderation router: the admin's moderation queue."""
from __future__ import annotations

from layers.core import db
from layers.core.pagination import Page
from layers.http.context import RequestContext
from layers.http.routing import Router
from layers.schemas.admin import ModerationComment, ModerationQuery

router = Router("comment_moderation")


@router.get("/api/admin/comments", auth="admin", query=ModerationQuery, response=Page[ModerationComment])
def moderation_queue(ctx: RequestContext, query: ModerationQuery) -> dict:
    """Comments by moderation state (``status=pending`` by default, ``approved`` or ``all``), newest first."""
    from layers.services import comment_moderation

    with db.connection() as conn:
        return comment_moderation.queue(conn, query.status, query)


@router.post("/api/admin/comments/{comment_id}/approve", auth="admin", response=ModerationComment,
             errors=(404,))
def approve_comment(ctx: RequestContext, comment_id: int) -> dict:
    """Approve a comment: 200 with the comment; its author is notified. Approving an approved
    comment changes nothing and sends nothing."""
    from layers.services import comment_moderation

    with db.connection() as conn:
        return comment_moderation.approve(conn, comment_id)


@router.delete("/api/admin/comments/{comment_id}", auth="admin", status=204, errors=(404,))
def remove_comment(ctx: RequestContext, comment_id: int) -> None:
    """Remove a comment and its replies: 204; the comment's author is notified."""
    from layers.services import comment_moderation

    with db.connection() as conn:
        comment_moderation.remove(conn, comment_id, ctx.require_user().id)
