"""Request and response models of the notifications router."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from layers.core.pagination import Page, PageQuery


class NotificationOut(BaseModel):
    id: int
    type: str
    title: str
    message: str
    link: str | None
    is_read: bool
    created_at: datetime


class NotificationsQuery(PageQuery):
    unread: bool = Field(False, description="only unread notifications")


class NotificationPage(Page[NotificationOut]):
    unread_count: int


class ReadAllOut(BaseModel):
    updated: int
