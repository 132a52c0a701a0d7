"""The FSRS scheduler and the conversions between its objects and ``srs_cards`` rows.

Grades 0-5 (the API's scale) map onto FSRS's four ratings: 0, 1 and 2 are *Again* (not
recalled), 3 *Hard*, 4 *Good*, 5 *Easy*. Fuzzing is off, so a card's schedule is a pure function
of its review log and the scheduler's parameters: replaying the log reproduces it.

``fsrs`` compares datetimes against ``datetime.timezone.utc`` and refuses any other tzinfo, even
``ZoneInfo("UTC")``, which is what psycopg returns unless the session time zone is exactly
``UTC``; every datetime therefore goes through ``utc`` on its way in.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # fsrs is imported lazily: only the srs function pays for it
    from fsrs import Card, Scheduler

GRADE_TO_RATING = {0: 1, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4}  # -> fsrs.Rating (1 Again .. 4 Easy)
STATE_NAMES = {1: "learning", 2: "review", 3: "relearning"}
NEW = "new"  # a card never reviewed: fsrs's Learning state at step 0 with no last review


def utc(value: datetime) -> datetime:
    """``value`` with ``datetime.timezone.utc`` as its tzinfo (naive values are taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def scheduler_key(desired_retention: float, maximum_interval: int) -> str:
    """Names the parameters a card was scheduled with; stored per card so a change can be replayed."""
    return f"fsrs6 default-weights r={desired_retention:g} max={maximum_interval}d"


@functools.lru_cache(maxsize=8)
def scheduler(desired_retention: float, maximum_interval: int) -> Scheduler:
    from fsrs import Scheduler

    return Scheduler(desired_retention=desired_retention, maximum_interval=maximum_interval,
                     enable_fuzzing=False)


def card_from_row(row: Mapping[str, Any]) -> Card:
    from fsrs import Card, State

    last = row.get("last_review_at")
    return Card(card_id=row["id"], state=State(row["state"]), step=row.get("step"),
                stability=row.get("stability"), difficulty=row.get("difficulty"),
                due=utc(row["next_review_at"]), last_review=utc(last) if last else None)


def new_card(card_id: int, due: datetime) -> Card:
    from fsrs import Card

    return Card(card_id=card_id, due=utc(due))


def review(sched: Scheduler, card: Card, grade: int, at: datetime) -> Card:
    from fsrs import Rating

    reviewed, _log = sched.review_card(card, Rating(GRADE_TO_RATING[grade]), utc(at))
    return reviewed


def replay(sched: Scheduler, card_id: int, created_at: datetime, log: Iterable[tuple[int, datetime]]) -> Card:
    """The card's state after its review log, ``(rating, reviewed_at)`` oldest first, under ``sched``."""
    from fsrs import Rating

    card = new_card(card_id, created_at)
    for rating, at in log:
        card, _log = sched.review_card(card, Rating(rating), utc(at))
    return card


def state_columns(card: Card) -> dict[str, Any]:
    """The ``srs_cards`` columns that hold ``card``'s FSRS state."""
    interval = (card.due - card.last_review).days if card.last_review else 0
    return {"state": int(card.state), "step": card.step, "stability": card.stability,
            "difficulty": card.difficulty, "next_review_at": card.due,
            "last_review_at": card.last_review, "interval_days": max(interval, 0)}


def state_name(row: Mapping[str, Any]) -> str:
    if row.get("last_review_at") is None:
        return NEW
    return STATE_NAMES[row["state"]]
