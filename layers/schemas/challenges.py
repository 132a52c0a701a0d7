"""Request and response models of the challenges router."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints, model_validator

from layers.schemas.common import StrictModel, single_line

ChallengeAnswer = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
                            BeforeValidator(single_line)]


class ChallengeSubmitIn(StrictModel):
    """A text ``answer``, or the 0-based ``choice`` of a multiple-choice challenge."""

    answer: ChallengeAnswer | None = None
    choice: Annotated[int, Field(strict=True, ge=0, le=100)] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> ChallengeSubmitIn:
        if (self.answer is None) == (self.choice is None):
            raise ValueError("send exactly one of answer and choice")
        return self


class ChallengeOut(BaseModel):
    id: int
    day: date
    title: str
    question: str
    difficulty: Literal["beginner", "intermediate", "advanced"]
    options: list[str] | None
    points: int
    attempts: int | None = Field(None, description="signed-in callers: today's attempts")
    solved: bool | None = Field(None, description="signed-in callers: solved today")


class Streak(BaseModel):
    current: int
    longest: int


class ChallengeResult(BaseModel):
    challenge_id: int
    correct: bool
    points: int
    xp_awarded: int
    attempts: int
    streak: Streak
    explanation: str | None = Field(description="shown once the answer is right")


class LeaderboardQuery(BaseModel):
    limit: int = Field(10, ge=1, le=100)


class ChallengeLeader(BaseModel):
    rank: int
    name: str
    points: int
    solved: int
