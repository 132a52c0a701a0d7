"""Post-shaped models and field types shared by several routers' schema modules.

A post in a list has one shape everywhere (``PostSummary``: the posts list, search hits, bookmarks,
reading history, recommendations), so it is declared once, here, with its parts.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

from layers.schemas.common import Id, single_line, visible_name

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SLUG_RE = re.compile(SLUG_PATTERN)
Difficulty = Literal["beginner", "intermediate", "advanced"]
PostStatus = Literal["draft", "published"]

Slug = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=SLUG_PATTERN)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                  BeforeValidator(visible_name)]
SearchText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200),
                       BeforeValidator(single_line)]
# A tag or series is named by its id or by its slug.
Ref = Id | Slug


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


class CommentAuthorOut(BaseModel):
    id: int | None  # None: the author's account was deleted (the name is then a placeholder)
    name: str


class PostRef(BaseModel):
    id: int
    slug: str
    title: str


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
