"""Request and response models of the reader features.

Comments, bookmarks, reading progress, study notes, notifications, recommendations and uploads.
Integers in JSON bodies are strict (``true`` or ``"5"`` is not an id); query strings are text by
nature, so their integers are parsed.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

from layers.core.pagination import Page, PageQuery
from layers.schemas.common import StrictModel, multi_line, single_line
from layers.schemas.content import AuthorOut, PostSummary, SeriesRef

MAX_ID = 2**63 - 1


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


BodyId = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]
CommentText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000),
                        BeforeValidator(multi_line)]
_Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                  BeforeValidator(single_line)]
# ``?q=`` with nothing in it means "no filter", as a search box sends it.
SearchTerm = Annotated[_Term | None, BeforeValidator(_blank_is_none)]


# ---- post references -------------------------------------------------------------------------
# List items are the posts router's ``PostSummary`` (no body; ``locked`` for gated premium posts).

class PostRef(BaseModel):
    id: int
    slug: str
    title: str


# ---- comments --------------------------------------------------------------------------------

class CommentIn(StrictModel):
    content: CommentText
    parent_id: BodyId | None = None


class CommentOut(BaseModel):
    id: int
    post_id: int
    parent_id: int | None
    author: AuthorOut
    content: str
    is_approved: bool
    is_deleted: bool = False  # deleted by its author while it had replies: a placeholder
    created_at: datetime
    replies: list[CommentOut] = []


class CommentsQuery(PageQuery):
    """Pages count top-level comments; each comes with all its visible replies."""


# ---- bookmarks -------------------------------------------------------------------------------

class BookmarkIn(StrictModel):
    post_id: BodyId


class BookmarkOut(BaseModel):
    post_id: int
    created_at: datetime
    post: PostSummary


class BookmarkStatus(BaseModel):
    bookmarked: bool


# ---- progress --------------------------------------------------------------------------------

class ReadIn(StrictModel):
    read_time_spent: Annotated[int, Field(strict=True, ge=0, le=86_400)] | None = Field(
        None, description="seconds spent reading; the largest value reported is kept")


class ReadOut(BaseModel):
    post_id: int
    completed_at: datetime
    read_time_spent: int
    xp_awarded: int = Field(description="XP granted by this call: only the first read of a post earns XP")
    xp: int
    level: int


class ProgressItem(BaseModel):
    post: PostSummary
    completed_at: datetime
    read_time_spent: int


class SeriesProgressPost(BaseModel):
    id: int
    slug: str
    title: str
    position: int | None
    is_premium: bool
    locked: bool
    read: bool
    completed_at: datetime | None


class SeriesProgress(BaseModel):
    series: SeriesRef
    read: int
    total: int
    percent: int
    completed: bool
    posts: list[SeriesProgressPost]


class ProgressStats(BaseModel):
    posts_read: int
    total_read_time_seconds: int
    series_completed: int
    series_in_progress: int
    xp: int
    level: int


# ---- notifications ---------------------------------------------------------------------------

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


# ---- recommendations -------------------------------------------------------------------------

class RecommendedPost(PostSummary):
    score: int = Field(description="personalised: shared tags plus 1 for a shared series; "
                                   "popular: views in the last 30 days")


class RecommendationPage(Page[RecommendedPost]):
    strategy: Literal["personalised", "popular"]


# ---- uploads ---------------------------------------------------------------------------------

class UploadIn(StrictModel):
    filename: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
                        BeforeValidator(single_line)]
    content_type: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1,
                                                   max_length=100)]
    size: Annotated[int, Field(strict=True, ge=1, description="bytes")]


class UploadOut(BaseModel):
    upload_id: int
    url: str = Field(description="POST a multipart form here: every entry of `fields`, then `file`")
    fields: dict[str, str]
    key: str
    content_type: str
    max_bytes: int
    expires_in: int = Field(description="seconds the form stays valid")
