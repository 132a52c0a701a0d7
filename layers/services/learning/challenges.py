"""Daily challenges: one a day (UTC), answers checked on the server, first correct answer scored.

Today's challenge is the one scheduled for the day, else one picked from the bank by the day's
ordinal (same pick for everyone, all day, with no stored state). A user may try until right; the
first correct submission of the day scores (``challenge_submissions_user_day_key``) and extends
the streak, a run of consecutive days with a solved challenge.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

from layers.core.db import Db
from layers.core.errors import BadRequest, Conflict, NotFound
from layers.services.gamification import awards
from layers.services.learning.rows import one

POINTS = {"beginner": 10, "intermediate": 20, "advanced": 30}
_COLUMNS = "id, title, question, difficulty, options, answer, accepted, explanation"
_INNER_HYPHEN = re.compile(r"(?<=[^\W_])-(?=[^\W_])")


def normalise(text: str) -> str:
    """Compare answers as people mean them: case, spacing, quotes, a final period and a hyphen
    inside a word ("B-tree", "btree", " BTree. ") do not matter."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(text.split())
    text = _INNER_HYPHEN.sub("", text).strip("'\"`")
    return text[:-1] if text.endswith(".") else text


def todays(conn: Db, today: date) -> dict[str, Any]:
    row = conn.execute(f"SELECT {_COLUMNS} FROM challenges WHERE day = %s", (today,)).fetchone()
    if row is None:
        count = one(conn, "SELECT count(*) AS n FROM challenges")["n"]
        if count == 0:
            raise NotFound("no challenge today: the challenge bank is empty")
        row = conn.execute(f"SELECT {_COLUMNS} FROM challenges ORDER BY id OFFSET %s LIMIT 1",
                           (today.toordinal() % count,)).fetchone()
    if row is None:  # the bank shrank between the two statements
        raise NotFound("no challenge today")
    return row


def public(row: dict[str, Any], today: date) -> dict[str, Any]:
    """Today's challenge without its answer, accepted answers or explanation."""
    return {"id": row["id"], "day": today, "title": row["title"], "question": row["question"],
            "difficulty": row["difficulty"], "options": row["options"], "points": POINTS[row["difficulty"]]}


def today_for(conn: Db, viewer_id: int | None, today: date) -> dict[str, Any]:
    row = todays(conn, today)
    out = public(row, today)
    if viewer_id is not None:
        mine = one(conn, "SELECT count(*) AS attempts, bool_or(is_correct) AS solved FROM challenge_submissions"
                         " WHERE user_id = %s AND day = %s", (viewer_id, today))
        out |= {"attempts": mine["attempts"], "solved": bool(mine["solved"])}
    return out


def submit(conn: Db, user_id: int, challenge_id: int, answer: str | None, choice: int | None,
           now: datetime) -> dict[str, Any]:
    today = now.date()
    row = todays(conn, today)
    if row["id"] != challenge_id:
        if conn.execute("SELECT 1 FROM challenges WHERE id = %s", (challenge_id,)).fetchone() is None:
            raise NotFound("challenge not found")
        raise Conflict("this is not today's challenge")
    given, correct = _check(row, answer, choice)
    points = POINTS[row["difficulty"]] if correct else 0
    inserted = conn.execute(
        "INSERT INTO challenge_submissions (challenge_id, user_id, answer, is_correct, day, points)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (user_id, day) WHERE is_correct DO NOTHING RETURNING id",
        (challenge_id, user_id, given, correct, today, points),
    ).fetchone()
    if inserted is None:
        raise Conflict("today's challenge is already solved")
    awarded = awards.award(conn, user_id, points, "challenge", today.isoformat(), at=now) if correct else 0
    attempts = one(conn, "SELECT count(*) AS n FROM challenge_submissions WHERE user_id = %s AND day = %s",
                   (user_id, today))["n"]
    return {"challenge_id": challenge_id, "correct": correct, "points": points, "xp_awarded": awarded,
            "attempts": attempts, "streak": streak(conn, user_id, today),
            "explanation": row["explanation"] if correct else None}


def _check(row: dict[str, Any], answer: str | None, choice: int | None) -> tuple[str, bool]:
    """The submission as recorded, and whether it is right."""
    options: list[str] | None = row["options"]
    if choice is not None:
        if not options:
            raise BadRequest("this challenge takes a text answer, not a choice")
        if choice >= len(options):
            raise BadRequest(f"choice must be one of the {len(options)} options (0-based)")
        answer = options[choice]
    assert answer is not None  # the request model requires one of the two
    accepted = {normalise(a) for a in [row["answer"], *row["accepted"]]}
    return answer, normalise(answer) in accepted


_RUNS_SQL = """
WITH days AS (SELECT DISTINCT day FROM challenge_submissions WHERE user_id = %s AND is_correct),
runs AS (SELECT day, day - (row_number() OVER (ORDER BY day))::int AS run FROM days)
SELECT max(day) AS last_day, count(*) AS length FROM runs GROUP BY run
"""


def streak(conn: Db, user_id: int, today: date) -> dict[str, int]:
    """Current run (alive while today or yesterday was solved) and the longest run, in days."""
    runs = conn.execute(_RUNS_SQL, (user_id,)).fetchall()
    current = next((r["length"] for r in runs if r["last_day"] >= today - timedelta(days=1)), 0)
    return {"current": current, "longest": max((r["length"] for r in runs), default=0)}


_LEADERBOARD_SQL = """
SELECT u.name, sum(s.points)::int AS points, count(*) AS solved, min(s.created_at) AS first_at
FROM challenge_submissions s JOIN users u ON u.id = s.user_id
WHERE s.is_correct AND u.is_active
GROUP BY u.id, u.name
ORDER BY points DESC, solved DESC, first_at, u.id
LIMIT %s
"""


def leaderboard(conn: Db, limit: int) -> list[dict[str, Any]]:
    rows = conn.execute(_LEADERBOARD_SQL, (limit,)).fetchall()
    return [{"rank": i + 1, "name": r["name"], "points": r["points"], "solved": r["solved"]}
            for i, r in enumerate(rows)]
