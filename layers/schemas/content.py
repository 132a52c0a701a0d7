"""Request and response models for posts, series, tags, redirects and search."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints, field_validator

from layers.core.pagination import PageQuery
from layers.schemas.common import StrictModel, multi_line, single_line

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SLUG_RE = re.compile(SLUG_PATTERN)
Difficulty = Literal["beginner", "intermediate", "advanced"]
PostStatus = Literal["draft", "published"]
ReactionType = Literal["like", "love", "insightful", "celebrate", "confused"]
PostSort = Literal["newest", "oldest", "popular"]

Slug = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=SLUG_PATTERN)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                  BeforeValidator(single_line)]
Excerpt = Annotated[str, StringConstraints(max_length=1000), BeforeValidator(multi_line)]
Body = Annotated[str, StringConstraints(max_length=100_000), BeforeValidator(multi_line)]
Description = Annotated[str, StringConstraints(max_length=5000), BeforeValidator(multi_line)]
TagName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60),
                    BeforeValidator(single_line)]
SearchText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200),
                       BeforeValidator(single_line)]
Position = Annotated[int, Field(ge=1, le=100_000)]
Id = Annotated[int, Field(ge=1, lt=2**63)]
# A tag or series is named by its id or by its slug.
Ref = Id | Slug


class _NoNulls(StrictModel):
    """PATCH bodies: a field may be left out, but only ``NULLABLE`` fields may be sent as null."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _reject_null(cls, value: object, info: object) -> object:
        name = getattr(info, "field_name", "")
        if value is None and name not in cls.NULLABLE:
            raise ValueError("may not be null")
        return value


# ---- shared parts -------------------------------------------------------------------------

class TagOut(BaseModel):
    id: int
    name: str
    slug: str
    post_count: int = Field(description="Published posts carrying this tag.")


class SeriesRef(BaseModel):
    id: int
    slug: str
    title: str


class AuthorOut(BaseModel):
    id: int
    name: str


# ---- posts --------------------------------------------------------------------------------

class PostSummary(BaseModel):
    """A post in a list: everything but ``content``."""

    id: int
    slug: str
    title: str
    excerpt: str
    status: PostStatus
    difficulty: Difficulty
    is_premium: bool
    tags: list[TagOut]
    series: SeriesRef | None
    series_position: int | None
    author: AuthorOut | None
    reading_time_minutes: int
    view_count: int
    published_at: datetime | None
    updated_at: datetime
    locked: bool = Field(description="True when the caller sees only a preview of a premium post.")


class PostOut(PostSummary):
    content: str = Field(description="Markdown body; a preview only when `locked` is true.")
    reactions: dict[str, int] = Field(default_factory=dict, description="Reaction counts by type.")
    my_reaction: ReactionType | None = None


class PostListQuery(PageQuery):
    tag: Slug | None = Field(None, description="Tag slug.")
    series: Slug | None = Field(None, description="Series slug.")
    difficulty: Difficulty | None = None
    q: SearchText | None = Field(None, description="Full-text filter (web search syntax).")
    sort: PostSort = "newest"


class PostCreate(StrictModel):
    title: Title
    slug: Slug | None = Field(None, description="Derived from the title when left out.")
    excerpt: Excerpt = ""
    content: Body = ""
    status: PostStatus = "draft"
    difficulty: Difficulty = "beginner"
    is_premium: bool = False
    tags: list[Ref] = Field(default_factory=list, max_length=20, description="Tag ids or slugs.")
    series: Ref | None = Field(None, description="Series id or slug.")
    series_position: Position | None = Field(None, description="Appended to the series when left out.")


class PostUpdate(_NoNulls):
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"series", "series_position"})

    title: Title | None = None
    slug: Slug | None = None
    excerpt: Excerpt | None = None
    content: Body | None = None
    difficulty: Difficulty | None = None
    is_premium: bool | None = None
    tags: list[Ref] | None = Field(None, max_length=20, description="Replaces the post's tags.")
    series: Ref | None = Field(None, description="Series id or slug; null takes the post out.")
    series_position: Position | None = None


class ReactionIn(StrictModel):
    reaction_type: ReactionType


class ReactionOut(BaseModel):
    post_id: int
    reaction_type: ReactionType | None
    reactions: dict[str, int]


class ViewRecorded(BaseModel):
    counted: bool = Field(description="False when this client already viewed the post this hour.")


# ---- series -------------------------------------------------------------------------------

class SeriesPost(BaseModel):
    id: int
    slug: str
    title: str
    position: int | None


class SeriesProgress(BaseModel):
    completed: int
    total: int
    percent: float
    completed_post_ids: list[int]


class SeriesOut(BaseModel):
    id: int
    slug: str
    title: str
    description: str
    post_count: int
    posts: list[SeriesPost]
    progress: SeriesProgress | None = Field(None, description="The caller's progress when signed in.")
    created_at: datetime
    updated_at: datetime


class SeriesNavigation(BaseModel):
    previous: SeriesPost | None
    next: SeriesPost | None


class NavigationQuery(BaseModel):
    post: Slug = Field(description="Slug of the post being read.")


class SeriesCreate(StrictModel):
    title: Title
    slug: Slug | None = Field(None, description="Derived from the title when left out.")
    description: Description = ""


class SeriesUpdate(_NoNulls):
    title: Title | None = None
    slug: Slug | None = None
    description: Description | None = None


# ---- tags ---------------------------------------------------------------------------------

class TagListQuery(PageQuery):
    page_size: int = Field(100, ge=1, le=100)
    sort: Literal["name", "popular"] = "name"


class TagCreate(StrictModel):
    name: TagName
    slug: Slug | None = Field(None, description="Derived from the name when left out.")


class TagUpdate(_NoNulls):
    name: TagName | None = None
    slug: Slug | None = None


class TagMerge(StrictModel):
    source_ids: list[Id] = Field(min_length=1, max_length=100)
    target_id: Id


# ---- redirects ----------------------------------------------------------------------------

class RedirectIn(StrictModel):
    old_slug: Slug
    new_slug: Slug


class RedirectOut(BaseModel):
    id: int
    old_slug: str
    new_slug: str
    created_at: datetime


class ResolveQuery(BaseModel):
    slug: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Resolved(BaseModel):
    new_slug: str


# ---- search -------------------------------------------------------------------------------

class SearchQuery(PageQuery):
    q: Annotated[SearchText, StringConstraints(min_length=1)] = Field(
        description="Web search syntax: quoted phrases, `or`, `-word`.")


class SearchHit(PostSummary):
    rank: float
    snippet: str = Field(description="HTML-escaped text with matches wrapped in `<mark>`; from the "
                                     "excerpt only when the post is locked for the caller.")


class FeedQuery(BaseModel):
    format: Literal["rss", "atom"] = "rss"
