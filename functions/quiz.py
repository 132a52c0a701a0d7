"""quiz router: quizzes drawn from a post's question bank, scored on the server once."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.pagination import Page, PageQuery
from layers.core.settings import Settings
from layers.http.routing import Router
from layers.schemas.quiz import (
    LeaderboardQuery,
    QuizGenerateIn,
    QuizHistoryItem,
    QuizLeader,
    QuizOut,
    QuizSubmitIn,
    QuizSubmittedOut,
)
from layers.services import premium
from layers.services.learning import quiz

router = Router("quiz")


@router.post("/api/quiz/generate", auth="user", body=QuizGenerateIn, response=QuizOut, status=201,
             errors=(403, 404))
def generate(db: Db, user: CurrentUser, body: QuizGenerateIn, settings: Settings) -> dict[str, Any]:
    """Draw ``QUIZ_SIZE`` questions from the post's bank with shuffled options (no answers)."""
    return quiz.generate(db, user.id, premium.has_full_access(user), body.post_id, settings.quiz_size)


@router.post("/api/quiz/{attempt_id}/submit", auth="user", body=QuizSubmitIn, response=QuizSubmittedOut,
             errors=(400, 404, 409))
def submit(db: Db, user: CurrentUser, attempt_id: int, body: QuizSubmitIn, settings: Settings) -> dict[str, Any]:
    """Score one's own quiz (``answers``: the chosen option's index per question, null to skip).

    Returns each question's correctness and explanation. A second submission is 409; passing
    (``QUIZ_PASS_PERCENT``) earns XP once per post.
    """
    return quiz.submit(db, user.id, attempt_id, body.answers, settings.quiz_pass_percent)


@router.get("/api/quiz/history", auth="user", query=PageQuery, response=Page[QuizHistoryItem])
def history(db: Db, user: CurrentUser, query: PageQuery) -> dict[str, Any]:
    """One's own attempts, newest first."""
    return quiz.history(db, user.id, query)


@router.get("/api/quiz/leaderboard", query=LeaderboardQuery, response=list[QuizLeader])
def leaderboard(db: Db, query: LeaderboardQuery) -> list[dict[str, Any]]:
    """Names and best scores: each user's best percentage per post, summed; ``?post_id`` for one post."""
    return quiz.leaderboard(db, query.post_id, query.limit)
