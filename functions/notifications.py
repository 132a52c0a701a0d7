"""notifications router: the signed-in user's own notifications."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.http.routing import Router
from layers.schemas.notifications import NotificationOut, NotificationPage, NotificationsQuery, ReadAllOut

router = Router("notifications")


@router.get("/api/notifications", auth="user", query=NotificationsQuery, response=NotificationPage)
def list_notifications(db: Db, user: CurrentUser, query: NotificationsQuery) -> dict[str, Any]:
    """Own notifications, newest first (``?unread=true`` for unread only), with ``unread_count``."""
    from layers.services import notifications

    return notifications.list_for(db, user.id, query, unread_only=query.unread)


@router.post("/api/notifications/read-all", auth="user", response=ReadAllOut)
def read_all(db: Db, user: CurrentUser) -> dict[str, int]:
    """Mark every own notification read; ``updated`` is how many were unread."""
    from layers.services import notifications

    return {"updated": notifications.mark_all_read(db, user.id)}


@router.post("/api/notifications/{notification_id}/read", auth="user", response=NotificationOut, errors=(404,))
def read_one(db: Db, user: CurrentUser, notification_id: int) -> dict[str, Any]:
    """Mark one own notification read (idempotent); another user's answers 404."""
    from layers.services import notifications

    return notifications.mark_read(db, user.id, notification_id)


@router.delete("/api/notifications/{notification_id}", auth="user", status=204, errors=(404,))
def dismiss(db: Db, user: CurrentUser, notification_id: int) -> None:
    """Delete one own notification; another user's answers 404."""
    from layers.services import notifications

    notifications.delete(db, user.id, notification_id)
