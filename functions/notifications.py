"""notifications router: the signed-in user's own notifications."""
from __future__ import annotations

from layers.core import db
from layers.http.context import RequestContext
from layers.http.routing import Router
from layers.schemas.reader import NotificationOut, NotificationPage, NotificationsQuery, ReadAllOut

router = Router("notifications")


@router.get("/api/notifications", auth="user", query=NotificationsQuery, response=NotificationPage)
def list_notifications(ctx: RequestContext, query: NotificationsQuery) -> dict:
    """Own notifications, newest first (``?unread=true`` for unread only), with ``unread_count``."""
    from layers.services import notifications

    with db.connection() as conn:
        return notifications.list_for(conn, ctx.require_user().id, query, unread_only=query.unread)


@router.post("/api/notifications/read-all", auth="user", response=ReadAllOut)
def read_all(ctx: RequestContext) -> dict:
    """Mark every own notification read; ``updated`` is how many were unread."""
    from layers.services import notifications

    with db.connection() as conn:
        return {"updated": notifications.mark_all_read(conn, ctx.require_user().id)}


@router.post("/api/notifications/{notification_id}/read", auth="user", response=NotificationOut, errors=(404,))
def read_one(ctx: RequestContext, notification_id: int) -> dict:
    """Mark one own notification read (idempotent); another user's answers 404."""
    from layers.services import notifications

    with db.connection() as conn:
        return notifications.mark_read(conn, ctx.require_user().id, notification_id)


@router.delete("/api/notifications/{notification_id}", auth="user", status=204, errors=(404,))
def dismiss(ctx: RequestContext, notification_id: int) -> None:
    """Delete one own notification; another user's answers 404."""
    from layers.services import notifications

    with db.connection() as conn:
        notifications.delete(conn, ctx.require_user().id, notification_id)
