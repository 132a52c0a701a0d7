"""interview router: mock interview sessions with feedback scored by key points."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.ports import InterviewGrader
from layers.http.routing import Router
from layers.schemas.interview import (
    InterviewAnsweredOut,
    InterviewAnswerIn,
    InterviewFeedbackOut,
    InterviewSessionOut,
    InterviewStartIn,
    InterviewTopic,
)
from layers.services.learning import interview

router = Router("interview")


@router.get("/api/interview/topics", response=list[InterviewTopic])
def topics(db: Db) -> list[dict[str, Any]]:
    """Topics of the interview bank, with how many questions each has."""
    return interview.topics(db)


@router.post("/api/interview/start", auth="user", body=InterviewStartIn, response=InterviewSessionOut,
             status=201, errors=(404,))
def start(db: Db, user: CurrentUser, body: InterviewStartIn) -> dict[str, Any]:
    """Start a session of ``count`` questions on ``topic``, nearest to ``difficulty`` first."""
    return interview.start(db, user.id, body.topic, body.difficulty, body.count)


@router.post("/api/interview/{session_id}/answer", auth="user", body=InterviewAnswerIn,
             response=InterviewAnsweredOut, errors=(400, 404, 409))
def answer(db: Db, user: CurrentUser, session_id: int, body: InterviewAnswerIn) -> dict[str, Any]:
    """Record an answer in one's own session; a finished session is 409."""
    return interview.answer(db, user.id, session_id, body.index, body.answer)


@router.get("/api/interview/{session_id}/feedback", auth="user", response=InterviewFeedbackOut,
            errors=(404, 409), writes=True)  # grading stores the feedback and finishes the session
def feedback(db: Db, user: CurrentUser, session_id: int, grader: InterviewGrader) -> dict[str, Any]:
    """Score each answer 0-100 by the key points it covers, with strengths and missing points.

    The first call grades the answers and finishes the session; later calls return the same
    feedback. Unanswered questions score 0; with no answer at all it is 409.
    """
    return interview.feedback(db, user.id, session_id, grader)
