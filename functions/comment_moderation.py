"""comment_moderation router: the admin's moderation queue."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.pagination import Page
from layers.http.routing import Router
from layers.schemas.comment_moderation import ModerationComment, ModerationQuery
from layers.services import comment_moderation

router = Router("comment_moderation")


@router.get("/api/admin/comments", auth="admin", query=ModerationQuery, response=Page[ModerationComment])
def moderation_queue(db: Db, query: ModerationQuery) -> dict[str, Any]:
    """Comments by moderation state (``status=pending`` by default, ``approved`` or ``all``), newest first."""
    return comment_moderation.queue(db, query)


@router.post("/api/admin/comments/{comment_id}/approve", auth="admin", response=ModerationComment,
             errors=(404,))
def approve_comment(db: Db, comment_id: int) -> dict[str, Any]:
    """Approve a comment: 200 with the comment; its author is notified. Approving an approved
    comment changes nothing and sends nothing."""
    return comment_moderation.approve(db, comment_id)


@router.delete("/api/admin/comments/{comment_id}", auth="admin", status=204, errors=(404,))
def remove_comment(db: Db, user: CurrentUser, comment_id: int) -> None:
    """Remove a comment and its replies: 204; the comment's author is notified."""
    comment_moderation.remove(db, comment_id, user.id)
