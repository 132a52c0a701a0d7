"""Request and response models of the srs (spaced repetition) router."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints, model_validator

from layers.schemas.common import Id, StrictModel, multi_line

CardFront = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
                      BeforeValidator(multi_line)]
CardBack = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000),
                     BeforeValidator(multi_line)]
# 0-2: not recalled (FSRS Again), 3: Hard, 4: Good, 5: Easy.
Grade = Annotated[int, Field(strict=True, ge=0, le=5)]
CardState = Literal["new", "learning", "review", "relearning"]


class CardIn(StrictModel):
    """A card about a published post: ``front`` and ``back`` given, or both left out to make one
    card per question of the post's question bank."""

    post_id: Id
    front: CardFront | None = None
    back: CardBack | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> CardIn:
        if (self.front is None) != (self.back is None):
            raise ValueError("send both front and back, or neither to use the post's question bank")
        return self


class ReviewIn(StrictModel):
    card_id: Id
    grade: Grade


class CardOut(BaseModel):
    id: int
    post_id: int | None
    front: str
    back: str
    state: CardState
    due_at: datetime
    last_review_at: datetime | None
    stability: float | None
    difficulty: float | None
    interval_days: int
    review_count: int
    lapses: int
    created_at: datetime


class CardsCreated(BaseModel):
    created: int
    items: list[CardOut]


class ReviewOut(CardOut):
    grade: int
    rating: int = Field(description="FSRS rating: 1 Again, 2 Hard, 3 Good, 4 Easy")
    xp_awarded: int = Field(description="XP for reviewing this card today (once per card and day)")


class StateCounts(BaseModel):
    new: int
    learning: int
    review: int
    relearning: int


class SrsStats(BaseModel):
    due_now: int
    due_today: int
    total: int
    reviewed_today: int
    retention_30d: float | None = Field(description="share of review-state cards recalled, last 30 days")
    reviews_tested_30d: int
    by_state: StateCounts
