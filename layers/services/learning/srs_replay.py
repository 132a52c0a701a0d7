"""Rescheduling after a change of scheduler parameters: each card's review log is replayed.

A card stores the key of the parameters its state was computed with (``scheduling.scheduler_key``).
When ``SRS_DESIRED_RETENTION`` or ``SRS_MAXIMUM_INTERVAL_DAYS`` change, the cards with another key
are replayed from their first review under the new scheduler, a bounded batch per call. Reviews
logged before ratings were stored are replayed from their grade.
"""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.services.learning import scheduling
from layers.services.learning.rows import one

BATCH = 500


def reschedule(conn: Db, desired_retention: float, maximum_interval: int, batch: int = BATCH) -> dict[str, int]:
    """Replay up to ``batch`` reviewed cards scheduled under other parameters; how many, how many left."""
    key = scheduling.scheduler_key(desired_retention, maximum_interval)
    sched = scheduling.scheduler(desired_retention, maximum_interval)
    cards = conn.execute(
        "SELECT id, created_at FROM srs_cards WHERE last_review_at IS NOT NULL"
        " AND scheduler_key IS DISTINCT FROM %s ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
        (key, batch)).fetchall()
    for card in cards:
        _replay_one(conn, sched, key, card)
    remaining = one(conn, "SELECT count(*) AS n FROM srs_cards WHERE last_review_at IS NOT NULL"
                          " AND scheduler_key IS DISTINCT FROM %s", (key,))["n"]
    return {"rescheduled": len(cards), "remaining": remaining}


def _replay_one(conn: Db, sched: Any, key: str, card: dict[str, Any]) -> None:
    log = conn.execute("SELECT coalesce(rating, CASE WHEN grade <= 2 THEN 1 ELSE grade - 1 END) AS rating,"
                       " reviewed_at FROM srs_reviews WHERE card_id = %s ORDER BY reviewed_at, id",
                       (card["id"],)).fetchall()
    replayed = scheduling.replay(sched, card["id"], card["created_at"], [(r["rating"], r["reviewed_at"]) for r in log])
    state = scheduling.state_columns(replayed)
    conn.execute(
        "UPDATE srs_cards SET state = %(state)s, step = %(step)s, stability = %(stability)s,"
        " difficulty = %(difficulty)s, next_review_at = %(next_review_at)s, last_review_at = %(last_review_at)s,"
        " interval_days = %(interval_days)s, scheduler_key = %(key)s WHERE id = %(id)s",
        {**state, "key": key, "id": card["id"]})
