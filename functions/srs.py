"""srs router: spaced repetition on FSRS.

Grades are 0-5: 0, 1 and 2 mean not recalled (FSRS *Again*), 3 *Hard*, 4 *Good*, 5 *Easy*.
"""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.pagination import Page, PageQuery
from layers.core.ports import Clock
from layers.core.settings import Settings
from layers.http.routing import Router
from layers.schemas.srs import CardIn, CardOut, CardsCreated, ReviewIn, ReviewOut, SrsStats
from layers.services import premium
from layers.services.learning import srs

router = Router("srs")


@router.get("/api/srs/queue", auth="user", query=PageQuery, response=Page[CardOut])
def due_queue(db: Db, user: CurrentUser, query: PageQuery, clock: Clock) -> dict[str, Any]:
    """The caller's cards due now, the longest overdue first."""
    return srs.queue(db, user.id, clock.now(), query)


@router.post("/api/srs/cards", auth="user", body=CardIn, response=CardsCreated, status=201,
             errors=(403, 404))
def add_cards(db: Db, user: CurrentUser, body: CardIn, clock: Clock) -> dict[str, Any]:
    """Add a card about a post (``front``/``back``), or one per question of its question bank.

    One card per user, post and front: adding an existing one returns it unchanged.
    """
    return srs.add_cards(db, user.id, premium.has_full_access(user), body.post_id, body.front,
                         body.back, clock.now())


@router.post("/api/srs/reviews", auth="user", body=ReviewIn, response=ReviewOut, errors=(404,))
def review(db: Db, user: CurrentUser, body: ReviewIn, clock: Clock, settings: Settings) -> dict[str, Any]:
    """Review one's own card with a grade 0-5; FSRS schedules its next review."""
    return srs.review(db, user.id, body.card_id, body.grade, clock.now(),
                      desired_retention=settings.srs_desired_retention,
                      maximum_interval=settings.srs_maximum_interval_days)


@router.get("/api/srs/stats", auth="user", response=SrsStats)
def stats(db: Db, user: CurrentUser, clock: Clock) -> dict[str, Any]:
    """Due now, due today (UTC), reviewed today, retention over 30 days, cards by state."""
    return srs.stats(db, user.id, clock.now())
