"""Request and response models of the admin_posts router."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

from layers.core.pagination import PageQuery
from layers.schemas.common import single_line
from layers.schemas.post_parts import AuthorOut, PostStatus, SeriesRef


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


_Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                  BeforeValidator(single_line)]
# ``?q=`` with nothing in it means "no filter", as a search box sends it.
SearchTerm = Annotated[_Term | None, BeforeValidator(_blank_is_none)]


class AdminPostsQuery(PageQuery):
    status: Literal["draft", "published", "all"] = "all"
    q: SearchTerm = Field(None, description="matches title or slug, case-insensitively")


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
