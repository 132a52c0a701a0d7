"""Spaced repetition: cards made from posts, scheduled by FSRS (``scheduling``), reviewed by grade.

A card's FSRS state lives in its row; every review is appended to ``srs_reviews`` with its rating
and outcome, so the schedule can be replayed under other parameters. Another user's card is
indistinguishable from a card that does not exist.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from layers.core.db import Db
from layers.core.errors import Forbidden, NotFound
from layers.core.pagination import PageQuery, paginate
from layers.services import premium
from layers.services.gamification import awards
from layers.services.learning import scheduling
from layers.services.learning.rows import one
from layers.services.published import published_post

_COLUMNS = ("id, post_id, front, back, state, step, stability, difficulty, lapses, review_count,"
            " interval_days, next_review_at, last_review_at, created_at")
RETENTION_WINDOW = timedelta(days=30)
REVIEW_XP = 1  # once per card per day, so reviewing the same card again and again earns nothing


def card_out(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "state": scheduling.state_name(row), "due_at": row["next_review_at"]}


def add_cards(conn: Db, user_id: int, full_access: bool, post_id: int, front: str | None,
              back: str | None, now: datetime) -> dict[str, Any]:
    """One card from ``front``/``back``, or one per question of the post's bank when both are absent.

    A card that already exists (same user, post and front) is returned as it is, not duplicated.
    """
    post = published_post(conn, post_id)
    if premium.is_locked(post, full_access):
        raise Forbidden("this post requires a premium subscription")
    pairs = [(front, back)] if front is not None and back is not None else _bank_pairs(conn, post_id)
    created = 0
    for card_front, card_back in pairs:
        created += conn.execute(
            "INSERT INTO srs_cards (user_id, post_id, front, back, next_review_at) VALUES (%s, %s, %s, %s, %s)"
            " ON CONFLICT (user_id, post_id, md5(front)) DO NOTHING",
            (user_id, post_id, card_front, card_back, now),
        ).rowcount
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM srs_cards WHERE user_id = %s AND post_id = %s AND md5(front) = ANY(%s)"
        " ORDER BY id",
        (user_id, post_id, [_md5(f) for f, _ in pairs]),
    ).fetchall()
    return {"created": created, "items": [card_out(r) for r in rows]}


def _md5(text: str) -> str:
    import hashlib

    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _bank_pairs(conn: Db, post_id: int) -> list[tuple[str, str]]:
    rows = conn.execute("SELECT question, options, answer_index, explanation FROM quiz_questions"
                        " WHERE post_id = %s ORDER BY id", (post_id,)).fetchall()
    if not rows:
        raise NotFound("this post has no question bank: send front and back to make a card")
    pairs = []
    for r in rows:
        answer = r["options"][r["answer_index"]] if r["answer_index"] < len(r["options"]) else ""
        back = f"{answer}\n\n{r['explanation']}".strip() if r["explanation"] else str(answer)
        pairs.append((r["question"], back or "(no answer recorded)"))
    return pairs


def queue(conn: Db, user_id: int, now: datetime, query: PageQuery) -> dict[str, Any]:
    """Cards due at ``now``, the longest overdue first (``srs_cards_due_idx``)."""
    page = paginate(conn, f"SELECT {_COLUMNS} FROM srs_cards WHERE user_id = %(uid)s AND next_review_at <= %(now)s",
                    {"uid": user_id, "now": now}, query, "next_review_at, id")
    page["items"] = [card_out(r) for r in page["items"]]
    return page


def review(conn: Db, user_id: int, card_id: int, grade: int, now: datetime, *,
           desired_retention: float, maximum_interval: int) -> dict[str, Any]:
    """Reschedule one's own card by ``grade`` (0-5) and log the review."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM srs_cards WHERE id = %s AND user_id = %s FOR UPDATE",
                       (card_id, user_id)).fetchone()
    if row is None:
        raise NotFound("card not found")
    sched = scheduling.scheduler(desired_retention, maximum_interval)
    card = scheduling.review(sched, scheduling.card_from_row(row), grade, now)
    state = scheduling.state_columns(card)
    rating = scheduling.GRADE_TO_RATING[grade]
    lapsed = rating == 1 and row["state"] == 2
    updated = one(
        conn,
        "UPDATE srs_cards SET state = %(state)s, step = %(step)s, stability = %(stability)s,"
        " difficulty = %(difficulty)s, next_review_at = %(next_review_at)s,"
        " last_review_at = %(last_review_at)s, interval_days = %(interval_days)s,"
        " review_count = review_count + 1, lapses = lapses + %(lapse)s,"
        " repetitions = CASE WHEN %(lapse)s = 1 THEN 0 ELSE repetitions + 1 END, scheduler_key = %(key)s"
        f" WHERE id = %(id)s RETURNING {_COLUMNS}",
        {**state, "lapse": int(lapsed), "id": card_id,
         "key": scheduling.scheduler_key(desired_retention, maximum_interval)},
    )
    conn.execute(
        "INSERT INTO srs_reviews (card_id, user_id, grade, rating, prior_state, state, stability, difficulty,"
        " interval_days, due_at, reviewed_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (card_id, user_id, grade, rating, row["state"], state["state"], state["stability"],
         state["difficulty"], state["interval_days"], state["next_review_at"], now),
    )
    awarded = awards.award(conn, user_id, REVIEW_XP, "review", f"{card_id}:{now.date().isoformat()}", at=now)
    return {**card_out(updated), "grade": grade, "rating": rating, "xp_awarded": awarded}


_STATS_SQL = """
SELECT
    count(*) FILTER (WHERE next_review_at <= %(now)s) AS due_now,
    count(*) FILTER (WHERE next_review_at < %(day_end)s) AS due_today,
    count(*) FILTER (WHERE last_review_at IS NULL) AS new,
    count(*) FILTER (WHERE last_review_at IS NOT NULL AND state = 1) AS learning,
    count(*) FILTER (WHERE last_review_at IS NOT NULL AND state = 2) AS review,
    count(*) FILTER (WHERE last_review_at IS NOT NULL AND state = 3) AS relearning,
    count(*) AS total
FROM srs_cards WHERE user_id = %(uid)s
"""

# Retention: of the reviews of cards that were in review state (a real test of memory, not a
# learning step), the share that were recalled (rated above Again).
_REVIEWS_SQL = """
SELECT
    count(*) FILTER (WHERE reviewed_at >= %(day_start)s) AS reviewed_today,
    count(*) FILTER (WHERE prior_state = 2 AND reviewed_at >= %(since)s) AS tested,
    count(*) FILTER (WHERE prior_state = 2 AND reviewed_at >= %(since)s AND rating > 1) AS recalled
FROM srs_reviews WHERE user_id = %(uid)s AND reviewed_at >= least(%(since)s, %(day_start)s)
"""


def stats(conn: Db, user_id: int, now: datetime) -> dict[str, Any]:
    """Due now and today (UTC), reviewed today, 30-day retention, cards by state."""
    day_start = datetime.combine(now.date(), time(), tzinfo=now.tzinfo)
    params = {"uid": user_id, "now": now, "day_start": day_start, "day_end": day_start + timedelta(days=1),
              "since": now - RETENTION_WINDOW}
    cards = one(conn, _STATS_SQL, params)
    reviews = one(conn, _REVIEWS_SQL, params)
    tested = reviews["tested"]
    return {
        "due_now": cards["due_now"], "due_today": cards["due_today"], "total": cards["total"],
        "reviewed_today": reviews["reviewed_today"],
        "retention_30d": round(reviews["recalled"] / tested, 4) if tested else None,
        "reviews_tested_30d": tested,
        "by_state": {k: cards[k] for k in ("new", "learning", "review", "relearning")},
    }
