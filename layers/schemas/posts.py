"""Request and response models of the posts router."""
from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

from layers.core.pagination import PageQuery
from layers.schemas.common import PatchModel, StrictModel, multi_line
from layers.schemas.post_parts import Difficulty, PostStatus, PostSummary, Ref, SearchText, Slug, Title

ReactionType = Literal["like", "love", "insightful", "celebrate", "confused"]
PostSort = Literal["newest", "oldest", "popular"]
Excerpt = Annotated[str, StringConstraints(max_length=1000), BeforeValidator(multi_line)]
Body = Annotated[str, StringConstraints(max_length=100_000), BeforeValidator(multi_line)]
Position = Annotated[int, Field(ge=1, le=100_000)]


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


class PostUpdate(PatchModel):
    """Send only what changes; ``series: null`` takes the post out of its series."""

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
