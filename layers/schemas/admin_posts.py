"""Request and response models of the admin_posts router."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from layers.core.pagination import PageQuery
from layers.schemas.common import SearchBox
from layers.schemas.post_parts import AuthorOut, PostStatus, SeriesRef


class AdminPostsQuery(PageQuery):
    status: Literal["draft", "published", "all"] = "all"
    q: SearchBox = Field(None, description="matches title or slug, case-insensitively")


class AdminPostOut(BaseModel):
    id: int
    slug: str
    title: str
    status: PostStatus
    difficulty: str
    is_premium: bool
    author: AuthorOut | None
    series: SeriesRef | None
    view_count: int
    comment_count: int
    pending_comment_count: int
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
