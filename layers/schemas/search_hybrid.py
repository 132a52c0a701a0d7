"""Request and response models of the hybrid search router."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

from layers.core.pagination import PageQuery
from layers.schemas.common import single_line

# A search box's text: long enough for a question, short enough to embed in one model window.
QueryText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
                      BeforeValidator(single_line)]


class HybridQuery(PageQuery):
    q: QueryText = Field(description="Words or a question; matched by words and by meaning.")


class HybridHit(BaseModel):
    id: int = Field(description="The post's id.")
    slug: str
    title: str
    excerpt: str
    is_premium: bool
    locked: bool = Field(description="Premium and the caller has no subscription: the snippet quotes "
                                     "the excerpt only.")
    published_at: datetime | None
    score: float = Field(description="Reciprocal rank fusion score of the full-text and vector rankings.")
    snippet: str = Field(description="HTML-escaped text with the query's words wrapped in `<mark>`.")
