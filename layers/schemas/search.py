"""Request and response models of the search router."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from layers.core.pagination import PageQuery
from layers.schemas.post_parts import PostSummary, SearchText


class SearchQuery(PageQuery):
    q: Annotated[SearchText, StringConstraints(min_length=1)] = Field(
        description="Web search syntax: quoted phrases, `or`, `-word`.")


class SearchHit(PostSummary):
    rank: float
    snippet: str = Field(description="HTML-escaped text with matches wrapped in `<mark>`; from the "
                                     "excerpt only when the post is locked for the caller.")
