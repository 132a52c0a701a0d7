"""Request and response models of the Ask AI router."""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints, model_validator

from layers.schemas.common import Id, StrictModel, multi_line, single_line

QUESTION_MAX = 500
Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=QUESTION_MAX),
                     BeforeValidator(multi_line)]
RelatedText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
                        BeforeValidator(single_line)]


class AskIn(StrictModel):
    question: Question


class Source(BaseModel):
    post_id: int
    slug: str
    title: str
    chunk_id: int
    heading: str = Field(description="The heading of the post section the chunk comes from.")
    snippet: str = Field(description="The chunk's opening words, plain text.")
    score: float


class AskOut(BaseModel):
    answer: str = Field(description="Cites its sources as `[n]`, the n-th entry of `sources`.")
    sources: list[Source]
    extractive: bool = Field(description="True when the answer quotes the sources instead of being generated.")


class RelatedQuery(BaseModel):
    post_id: Id | None = Field(None, description="Chunks of other posts nearest to this post.")
    q: RelatedText | None = Field(None, description="Chunks nearest to this text.")
    limit: int = Field(5, ge=1, le=20)

    @model_validator(mode="after")
    def _one_of(self) -> RelatedQuery:
        if (self.post_id is None) == (self.q is None):
            raise ValueError("give exactly one of post_id and q")
        return self


class RelatedOut(BaseModel):
    items: list[Source]
