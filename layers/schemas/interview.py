"""Request and response models of the interview router."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

from layers.schemas.common import StrictModel, multi_line, single_line

Difficulty = Literal["beginner", "intermediate", "advanced"]
Topic = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=100),
                  BeforeValidator(single_line)]
AnswerText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000),
                       BeforeValidator(multi_line)]


class InterviewStartIn(StrictModel):
    topic: Topic
    difficulty: Difficulty = "intermediate"
    count: Annotated[int, Field(strict=True, ge=1, le=10)] = 3


class InterviewAnswerIn(StrictModel):
    """``index``: the question answered (0-based); left out, the first unanswered one."""

    answer: AnswerText
    index: Annotated[int, Field(strict=True, ge=0, le=100)] | None = None


class InterviewQuestionOut(BaseModel):
    index: int
    question: str
    difficulty: Difficulty
    answered: bool


class InterviewSessionOut(BaseModel):
    id: int
    topic: str
    difficulty: Difficulty
    status: Literal["in_progress", "completed"]
    created_at: datetime
    answered: int
    total: int
    questions: list[InterviewQuestionOut]


class InterviewAnsweredOut(InterviewSessionOut):
    index: int
    next_index: int | None


class QuestionFeedback(BaseModel):
    index: int
    question: str
    answer: str | None
    score: int = Field(description="0-100: the share of the question's key points the answer covers")
    strengths: list[str] = Field(description="key points the answer covers")
    missing: list[str] = Field(description="key points it does not")
    reference_answer: str


class InterviewFeedbackOut(BaseModel):
    id: int
    topic: str
    difficulty: Difficulty
    status: Literal["completed"]
    overall_score: float = Field(description="mean of the question scores (unanswered: 0)")
    questions: list[QuestionFeedback]


class InterviewTopic(BaseModel):
    topic: str
    questions: int
    difficulties: list[Difficulty]
