"""Mock interviews: questions from the interview bank, answers recorded, feedback by key points.

A session stores its questions as drawn (with reference answers and key points, which stay on
the server until the feedback), and one answer slot per question. Fetching the feedback grades
every answer with the ``InterviewGrader`` port, stores the result and finishes the session:
answering afterwards is 409 and the feedback is returned as stored.
"""
from __future__ import annotations

import random
from typing import Any

from layers.core.db import Db
from layers.core.errors import BadRequest, Conflict, NotFound
from layers.core.ports import InterviewGrader
from layers.services.gamification import awards
from layers.services.learning.rows import one

COMPLETION_XP = 15
_DIFFICULTY_ORDER = ("beginner", "intermediate", "advanced")
_rng = random.SystemRandom()


def topics(conn: Db) -> list[dict[str, Any]]:
    return conn.execute("SELECT topic, count(*) AS questions, array_agg(DISTINCT difficulty) AS difficulties"
                        " FROM interview_questions GROUP BY topic ORDER BY topic").fetchall()


def start(conn: Db, user_id: int, topic: str, difficulty: str, count: int) -> dict[str, Any]:
    """``count`` questions on ``topic``: the requested difficulty first, then the nearest ones."""
    from psycopg.types.json import Jsonb

    bank = conn.execute("SELECT id, question, reference_answer, key_points, difficulty FROM interview_questions"
                        " WHERE topic = %s", (topic,)).fetchall()
    if not bank:
        known = ", ".join(t["topic"] for t in topics(conn)) or "none yet"
        raise NotFound(f"no interview questions on {topic!r}; topics: {known}")
    _rng.shuffle(bank)
    wanted = _DIFFICULTY_ORDER.index(difficulty)
    bank.sort(key=lambda q: abs(_DIFFICULTY_ORDER.index(q["difficulty"]) - wanted))
    questions = bank[:count]
    row = one(conn, "INSERT INTO interview_sessions (user_id, topic, difficulty, questions, answers)"
                    " VALUES (%s, %s, %s, %s, %s) RETURNING id, created_at",
              (user_id, topic, difficulty, Jsonb(questions), Jsonb([None] * len(questions))))
    return _public({**row, "topic": topic, "difficulty": difficulty, "status": "in_progress",
                    "questions": questions, "answers": [None] * len(questions)})


def _public(session: dict[str, Any]) -> dict[str, Any]:
    """The session as its owner sees it before feedback: no reference answers, no key points."""
    answers = session["answers"]
    return {"id": session["id"], "topic": session["topic"], "difficulty": session["difficulty"],
            "status": session["status"], "created_at": session["created_at"],
            "answered": sum(a is not None for a in answers), "total": len(answers),
            "questions": [{"index": i, "question": q["question"], "difficulty": q["difficulty"],
                           "answered": answers[i] is not None}
                          for i, q in enumerate(session["questions"])]}


def _locked(conn: Db, user_id: int, session_id: int) -> dict[str, Any]:
    session = conn.execute(
        "SELECT id, topic, difficulty, status, questions, answers, feedback, overall_score, created_at"
        " FROM interview_sessions WHERE id = %s AND user_id = %s FOR UPDATE", (session_id, user_id)).fetchone()
    if session is None:
        raise NotFound("interview session not found")
    # Sessions written before answer slots existed hold a shorter list.
    session["answers"] = (session["answers"] + [None] * len(session["questions"]))[: len(session["questions"])]
    return session


def answer(conn: Db, user_id: int, session_id: int, index: int | None, text: str) -> dict[str, Any]:
    """Record (or, before the feedback, replace) the answer to question ``index``, else the next one."""
    from psycopg.types.json import Jsonb

    session = _locked(conn, user_id, session_id)
    if session["status"] != "in_progress":
        raise Conflict("this interview is finished")
    answers: list[str | None] = session["answers"]
    if index is None:
        index = next((i for i, a in enumerate(answers) if a is None), None)
        if index is None:
            raise Conflict("every question is answered: fetch the feedback")
    elif index >= len(answers):
        raise BadRequest(f"index must be below {len(answers)}, the number of questions")
    answers[index] = text
    conn.execute("UPDATE interview_sessions SET answers = %s WHERE id = %s", (Jsonb(answers), session_id))
    return {**_public(session), "index": index,
            "next_index": next((i for i, a in enumerate(answers) if a is None), None)}


def feedback(conn: Db, user_id: int, session_id: int, grader: InterviewGrader) -> dict[str, Any]:
    """Grade every answer (an unanswered question scores 0) and finish the session, once."""
    session = _locked(conn, user_id, session_id)
    if session["feedback"] is None:
        if all(a is None for a in session["answers"]):
            raise Conflict("answer at least one question before asking for feedback")
        session = _grade(conn, user_id, session, grader)
    return {"id": session["id"], "topic": session["topic"], "difficulty": session["difficulty"],
            "status": "completed", "overall_score": float(session["overall_score"]),
            "questions": session["feedback"]}


def _grade(conn: Db, user_id: int, session: dict[str, Any], grader: InterviewGrader) -> dict[str, Any]:
    from psycopg.types.json import Jsonb

    items = []
    for i, (question, given) in enumerate(zip(session["questions"], session["answers"], strict=True)):
        assessed = grader.assess(question["question"], question["reference_answer"], question["key_points"], given or "")
        items.append({"index": i, "question": question["question"], "answer": given,
                      "score": assessed.score if given else 0, "strengths": assessed.covered if given else [],
                      "missing": assessed.missing if given else list(question["key_points"]),
                      "reference_answer": question["reference_answer"]})
    overall = round(sum(item["score"] for item in items) / len(items), 2)
    conn.execute("UPDATE interview_sessions SET scores = %s, overall_score = %s, feedback = %s,"
                 " status = 'completed', completed_at = now() WHERE id = %s",
                 (Jsonb([item["score"] for item in items]), overall, Jsonb(items), session["id"]))
    awards.award(conn, user_id, COMPLETION_XP, "interview", str(session["id"]))
    return {**session, "feedback": items, "overall_score": overall}
