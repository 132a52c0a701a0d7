"""Request and response models of the quiz router."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from layers.schemas.common import Id, StrictModel

# An option's position as served (0-based), or null to skip the question.
Choice = Annotated[int, Field(strict=True, ge=0, le=100)]


class QuizGenerateIn(StrictModel):
    post_id: Id


class QuizSubmitIn(StrictModel):
    answers: list[Choice | None] = Field(max_length=100)


class QuizQuestionOut(BaseModel):
    index: int
    id: int
    question: str
    options: list[str]


class QuizOut(BaseModel):
    """A quiz as served: questions and shuffled options, never the answers."""

    id: int
    post_id: int
    post_title: str
    total_questions: int
    created_at: datetime
    questions: list[QuizQuestionOut]


class QuizResultOut(QuizQuestionOut):
    selected: int | None
    correct_index: int
    correct: bool
    explanation: str


class QuizSubmittedOut(BaseModel):
    id: int
    post_id: int | None
    score: int
    total_questions: int
    percent: int
    passed: bool
    xp_awarded: int
    submitted_at: datetime
    results: list[QuizResultOut]


class QuizHistoryItem(BaseModel):
    id: int
    post_id: int | None
    post_title: str | None
    score: int | None
    total_questions: int
    percent: int | None
    passed: bool | None
    created_at: datetime
    submitted_at: datetime | None


class LeaderboardQuery(BaseModel):
    post_id: Id | None = None
    limit: int = Field(10, ge=1, le=100)


class QuizLeader(BaseModel):
    rank: int
    name: str
    score: int = Field(description="best percentage per post, summed over posts (or one post's best)")
    quizzes: int
