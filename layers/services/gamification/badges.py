"""Badges are data: each is a threshold on one metric (``metrics.py``).

The catalogue below is the source of truth. A badge's row in ``badges`` is written the first
time anyone earns it (``user_badges`` references it), so adding a badge is adding a line here.
``evaluate`` runs inside the transaction of the event that can earn a badge; the primary key of
``user_badges`` makes each badge awarded once, and the notification is written only by the
insert that actually awarded it.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from layers.core.db import Db
from layers.services import notifications
from layers.services.gamification import metrics


@dataclass(frozen=True)
class Badge:
    slug: str
    name: str
    description: str
    icon: str
    metric: str
    threshold: int


CATALOGUE: tuple[Badge, ...] = (
    Badge("first-read", "First read", "Finish your first post.", "book-open", "posts_read", 1),
    Badge("ten-reads", "Ten reads", "Finish ten posts.", "books", "posts_read", 10),
    Badge("fifty-reads", "Bookworm", "Finish fifty posts.", "library", "posts_read", 50),
    Badge("first-series", "Series finisher", "Read every post of a series.", "flag", "series_completed", 1),
    Badge("streak-7", "One-week streak", "Be active seven days in a row.", "flame", "streak", 7),
    Badge("streak-30", "One-month streak", "Be active thirty days in a row.", "fire", "streak", 30),
    Badge("perfect-quiz", "Perfect quiz", "Answer every question of a quiz correctly.", "target",
          "perfect_quizzes", 1),
    Badge("first-challenge", "Challenger", "Solve a daily challenge.", "puzzle", "challenges_solved", 1),
    Badge("reviewer", "Reviewer", "Review fifty flashcards.", "cards", "reviews", 50),
    Badge("first-referral", "Ambassador", "Bring a friend who signs up.", "handshake", "referrals", 1),
    Badge("five-referrals", "Community builder", "Bring five friends who sign up.", "people", "referrals", 5),
    Badge("xp-1000", "1,000 XP", "Earn 1,000 XP.", "star", "xp", 1000),
)
BY_SLUG = {badge.slug: badge for badge in CATALOGUE}
assert {b.metric for b in CATALOGUE} <= metrics.METRICS


def earned(conn: Db, user_id: int) -> dict[str, datetime]:
    """Slug -> award time of every badge ``user_id`` holds."""
    rows = conn.execute(
        "SELECT b.slug, ub.awarded_at FROM user_badges ub JOIN badges b ON b.id = ub.badge_id"
        " WHERE ub.user_id = %s", (user_id,)).fetchall()
    return {row["slug"]: row["awarded_at"] for row in rows}


def catalogue_for(conn: Db, user_id: int | None) -> list[dict[str, Any]]:
    """Every badge; with ``earned`` and ``awarded_at`` when a user is given."""
    held = earned(conn, user_id) if user_id is not None else {}
    return [{"slug": b.slug, "name": b.name, "description": b.description, "icon": b.icon,
             "metric": b.metric, "threshold": b.threshold,
             "earned": (b.slug in held) if user_id is not None else None,
             "awarded_at": held.get(b.slug)} for b in CATALOGUE]


def held_by(conn: Db, user_id: int) -> list[dict[str, Any]]:
    """The badges ``user_id`` holds, in catalogue order."""
    return [row for row in catalogue_for(conn, user_id) if row["earned"]]


def evaluate(conn: Db, user_id: int, metric_names: Iterable[str]) -> list[str]:
    """Award every badge on these metrics whose threshold is met; returns the slugs awarded now."""
    wanted = set(metric_names)
    held = earned(conn, user_id)
    candidates = [b for b in CATALOGUE if b.metric in wanted and b.slug not in held]
    if not candidates:
        return []
    values = metrics.measure(conn, user_id, {b.metric for b in candidates})
    return [b.slug for b in candidates if values[b.metric] >= b.threshold and _award(conn, user_id, b)]


def _award(conn: Db, user_id: int, badge: Badge) -> bool:
    inserted = conn.execute(
        "INSERT INTO user_badges (user_id, badge_id) VALUES (%s, %s) ON CONFLICT DO NOTHING RETURNING badge_id",
        (user_id, _badge_id(conn, badge)),
    ).fetchone()
    if inserted is None:
        return False
    notifications.notify(conn, user_id, "badge", f"Badge earned: {badge.name}", badge.description,
                         link="/profile/badges")
    return True


def _badge_id(conn: Db, badge: Badge) -> int:
    row = conn.execute(
        "INSERT INTO badges (slug, name, description, icon, criteria) VALUES (%s, %s, %s, %s, %s)"
        " ON CONFLICT (slug) DO NOTHING RETURNING id",
        (badge.slug, badge.name, badge.description, badge.icon, _criteria(badge)),
    ).fetchone()
    if row is None:  # already written (by this or a concurrent, now committed, transaction)
        row = conn.execute("SELECT id FROM badges WHERE slug = %s", (badge.slug,)).fetchone()
    if row is None:
        raise LookupError(f"badge {badge.slug!r} vanished while being awarded")
    return int(row["id"])


def _criteria(badge: Badge) -> Any:
    from psycopg.types.json import Jsonb

    return Jsonb({"metric": badge.metric, "threshold": badge.threshold})
