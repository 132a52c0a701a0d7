"""Request and response models of the admin endpoints: moderation, posts, users, analytics."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from layers.core.pagination import PageQuery
from layers.schemas.common import StrictModel
from layers.schemas.content import AuthorOut, SeriesRef
from layers.schemas.reader import PostRef, SearchTerm

DEFAULT_RANGE_DAYS = 30
# Bounds keep date arithmetic (the default start is ``to`` minus 29 days) far from overflow.
EARLIEST, LATEST = date(1970, 1, 1), date(9999, 1, 1)


# ---- comments --------------------------------------------------------------------------------

class ModerationQuery(PageQuery):
    status: Literal["pending", "approved", "all"] = "pending"


class ModerationComment(BaseModel):
    id: int
    post: PostRef
    parent_id: int | None
    author: AuthorOut
    content: str
    is_approved: bool
    created_at: datetime


# ---- posts -----------------------------------------------------------------------------------

class AdminPostsQuery(PageQuery):
    status: Literal["draft", "published", "all"] = "all"
    q: SearchTerm = Field(None, description="matches title or slug, case-insensitively")


class AdminPostOut(BaseModel):
    id: int
    slug: str
    title: str
    status: Literal["draft", "published"]
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


# ---- users -----------------------------------------------------------------------------------

class AdminUsersQuery(PageQuery):
    q: SearchTerm = Field(None, description="matches email or name, case-insensitively")
    role: Literal["user", "admin"] | None = None
    is_active: bool | None = None


class AdminUserOut(BaseModel):
    id: int
    email: str
    name: str
    role: Literal["user", "admin"]
    is_active: bool
    email_verified: bool
    is_premium: bool
    xp: int
    level: int
    created_at: datetime


class AdminUserPatch(StrictModel):
    role: Literal["user", "admin"] | None = None
    is_active: bool | None = Field(None, strict=True)


# ---- analytics -------------------------------------------------------------------------------

class DateRangeQuery(BaseModel):
    """``?from=YYYY-MM-DD&to=YYYY-MM-DD``, both inclusive UTC days; by default the last 30 days."""

    from_: date | None = Field(None, alias="from", ge=EARLIEST, le=LATEST)
    to: date | None = Field(None, ge=EARLIEST, le=LATEST)

    @model_validator(mode="after")
    def _resolve(self) -> DateRangeQuery:
        if self.to is None:
            self.to = datetime.now(timezone.utc).date()
        if self.from_ is None:
            self.from_ = self.to - timedelta(days=DEFAULT_RANGE_DAYS - 1)
        if self.from_ > self.to:
            raise ValueError("'from' must not be after 'to'")
        return self


class PostAnalyticsQuery(DateRangeQuery, PageQuery):
    sort: Literal["views", "reads", "reactions", "comments"] = "views"


class AnalyticsOverview(BaseModel):
    start: date = Field(description="first day of the range (UTC)")
    end: date = Field(description="last day of the range, inclusive (UTC)")
    users: int = Field(description="accounts existing at the end of the range")
    new_users: int
    posts: int = Field(description="posts published by the end of the range")
    new_posts: int = Field(description="posts first published within the range")
    views: int
    reads: int
    reactions: int
    comments: int


class PostAnalytics(BaseModel):
    post_id: int
    slug: str
    title: str
    status: Literal["draft", "published"]
    views: int
    reads: int
    reactions: int
    comments: int
