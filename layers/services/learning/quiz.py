"""Quizzes drawn from a post's question bank, scored on the server, once.

The questions are stored with the attempt exactly as served (options in their shuffled order),
so scoring never depends on the bank changing afterwards, and the correct answers and
explanations leave the server only in the answer to the submission.
"""
from __future__ import annotations

import random
from typing import Any

from layers.core.db import Db
from layers.core.errors import BadRequest, Conflict, Forbidden, NotFound
from layers.core.pagination import PageQuery, paginate
from layers.services import premium
from layers.services.gamification import awards
from layers.services.learning.rows import one
from layers.services.published import published_post

PASS_XP = 25
_rng = random.SystemRandom()  # a predictable shuffle would let a client guess answer positions


def generate(conn: Db, user_id: int, full_access: bool, post_id: int, size: int) -> dict[str, Any]:
    from psycopg.types.json import Jsonb

    post = published_post(conn, post_id)
    if premium.is_locked(post, full_access):
        raise Forbidden("this post requires a premium subscription")
    bank = conn.execute("SELECT id, question, options, answer_index, explanation FROM quiz_questions"
                        " WHERE post_id = %s ORDER BY id", (post_id,)).fetchall()
    if not bank:
        raise NotFound("this post has no quiz: its question bank is empty")
    served = [_shuffled(q) for q in _rng.sample(bank, min(size, len(bank)))]
    row = one(conn, "INSERT INTO quiz_attempts (user_id, post_id, question_ids, served, total_questions)"
                    " VALUES (%s, %s, %s, %s, %s) RETURNING id, created_at",
              (user_id, post_id, Jsonb([q["id"] for q in served]), Jsonb(served), len(served)))
    return {"id": row["id"], "post_id": post_id, "post_title": post["title"], "created_at": row["created_at"],
            "total_questions": len(served), "questions": [_public(i, q) for i, q in enumerate(served)]}


def _shuffled(question: dict[str, Any]) -> dict[str, Any]:
    order = list(range(len(question["options"])))
    _rng.shuffle(order)
    return {"id": question["id"], "question": question["question"],
            "options": [question["options"][i] for i in order],
            "answer_index": order.index(question["answer_index"]) if question["answer_index"] in order else -1,
            "explanation": question["explanation"]}


def _public(index: int, served: dict[str, Any]) -> dict[str, Any]:
    """What a quiz taker may see before submitting: no answer, no explanation."""
    return {"index": index, "id": served["id"], "question": served["question"], "options": served["options"]}


def submit(conn: Db, user_id: int, attempt_id: int, answers: list[int | None], pass_percent: int) -> dict[str, Any]:
    """Score one's own attempt once (409 after that); ``None`` skips a question."""
    attempt = conn.execute("SELECT id, post_id, served, submitted_at FROM quiz_attempts"
                           " WHERE id = %s AND user_id = %s FOR UPDATE", (attempt_id, user_id)).fetchone()
    if attempt is None:
        raise NotFound("quiz attempt not found")
    if attempt["submitted_at"] is not None:
        raise Conflict("this quiz was already submitted")
    from psycopg.types.json import Jsonb

    served: list[dict[str, Any]] | None = attempt["served"]
    if not served:  # an attempt from before questions were stored with it cannot be scored
        raise Conflict("this quiz can no longer be submitted: generate a new one")
    _check_answers(served, answers)
    results = [_result(i, q, a) for i, (q, a) in enumerate(zip(served, answers, strict=True))]
    score = sum(r["correct"] for r in results)
    percent = round(100 * score / len(served))
    passed = percent >= pass_percent
    row = one(conn, "UPDATE quiz_attempts SET answers = %s, score = %s, passed = %s, submitted_at = now()"
                    " WHERE id = %s RETURNING submitted_at", (Jsonb(answers), score, passed, attempt_id))
    awarded = 0
    if passed and attempt["post_id"] is not None:
        awarded = awards.award(conn, user_id, PASS_XP, "quiz", str(attempt["post_id"]))
    return {"id": attempt_id, "post_id": attempt["post_id"], "score": score, "total_questions": len(served),
            "percent": percent, "passed": passed, "xp_awarded": awarded,
            "submitted_at": row["submitted_at"], "results": results}


def _check_answers(served: list[dict[str, Any]], answers: list[int | None]) -> None:
    if len(answers) != len(served):
        raise BadRequest(f"answers must have one entry per question ({len(served)}), null to skip one")
    for i, (question, answer) in enumerate(zip(served, answers, strict=True)):
        if answer is not None and answer >= len(question["options"]):
            raise BadRequest(f"answer {i} is not one of the question's {len(question['options'])} options")


def _result(index: int, served: dict[str, Any], answer: int | None) -> dict[str, Any]:
    return {**_public(index, served), "selected": answer, "correct_index": served["answer_index"],
            "correct": answer is not None and answer == served["answer_index"],
            "explanation": served["explanation"]}


_HISTORY_SQL = """
SELECT a.id, a.post_id, p.title AS post_title, a.score, a.total_questions, a.passed,
       a.created_at, a.submitted_at
FROM quiz_attempts a LEFT JOIN posts p ON p.id = a.post_id
WHERE a.user_id = %(uid)s
"""


def history(conn: Db, user_id: int, query: PageQuery) -> dict[str, Any]:
    """One's own attempts, newest first (``quiz_attempts_user_idx``); unsubmitted ones have no score."""
    page = paginate(conn, _HISTORY_SQL, {"uid": user_id}, query, "created_at DESC, id DESC")
    for item in page["items"]:
        score = item["score"]
        item["percent"] = None if score is None else round(100 * score / item["total_questions"])
    return page


# Each user's best percentage per post; the board sums them over posts (or shows one post's).
_LEADERBOARD_SQL = """
WITH best AS (
    SELECT a.user_id, a.post_id, max(100 * a.score / a.total_questions) AS percent,
           min(a.submitted_at) AS first_at
    FROM quiz_attempts a
    WHERE a.submitted_at IS NOT NULL AND a.post_id IS NOT NULL
      AND (%(pid)s::bigint IS NULL OR a.post_id = %(pid)s)
    GROUP BY a.user_id, a.post_id
)
SELECT u.name, sum(b.percent)::int AS score, count(*) AS quizzes, min(b.first_at) AS first_at
FROM best b JOIN users u ON u.id = b.user_id
WHERE u.is_active
GROUP BY u.id, u.name
ORDER BY score DESC, first_at, u.id
LIMIT %(limit)s
"""


def leaderboard(conn: Db, post_id: int | None, limit: int) -> list[dict[str, Any]]:
    """Names and best scores only: a user's best percentage on each post, summed (or one post's)."""
    rows = conn.execute(_LEADERBOARD_SQL, {"pid": post_id, "limit": limit}).fetchall()
    return [{"rank": i + 1, "name": r["name"], "score": r["score"], "quizzes": r["quizzes"]}
            for i, r in enumerate(rows)]
