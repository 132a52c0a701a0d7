"""Referral codes, visits, sign-ups and the referrers' leaderboard.

A user has one code (``referrals.user_id`` is unique), created on first request. Visits are
public and so cheap to fake: each is counted once per client per code per hour (the client is
the keyed, daily-rotating hash of ``views.client_key``; the unique index is the deduplication)
and the owner's own visits are not counted. Sign-ups are recorded only by registration, never by
the public endpoint, and reward the referrer once per referred user (``referred_user_id`` is
unique, and the XP award's key is the referred user). An unknown code or a self-referral rewards
nothing and never blocks registration.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from layers.core.db import Db
from layers.core.errors import NotFound
from layers.services import views
from layers.services.gamification import awards

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read and typed by people
_CODE_LENGTH = 8
REFERRAL_REASON = "referral"

_SUMMARY_SQL = """
SELECT r.code, r.reward_xp, r.created_at,
       count(e.id) FILTER (WHERE e.kind = 'visit') AS visits,
       count(e.id) FILTER (WHERE e.kind = 'signup') AS signups
FROM referrals r LEFT JOIN referral_events e ON e.referral_id = r.id
WHERE r.user_id = %s
GROUP BY r.id
"""

_LEADERBOARD_SQL = """
SELECT r.user_id, u.name, count(*) AS referrals
FROM referral_events e JOIN referrals r ON r.id = e.referral_id JOIN users u ON u.id = r.user_id
WHERE e.kind = 'signup'
GROUP BY r.user_id, u.name
ORDER BY referrals DESC, r.user_id
LIMIT %s
"""


def normalise(code: str) -> str:
    return code.strip().upper()


def code_for(conn: Db, user_id: int) -> dict[str, Any]:
    """The user's code with its visit and sign-up counts; created on the first call only."""
    summary = conn.execute(_SUMMARY_SQL, (user_id,)).fetchone()
    while summary is None:
        code = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))
        # A concurrent first call (same user) or a code collision inserts nothing; re-read.
        conn.execute("INSERT INTO referrals (code, user_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                     (code, user_id))
        summary = conn.execute(_SUMMARY_SQL, (user_id,)).fetchone()
    return summary


def track_visit(conn: Db, secret: bytes, code: str, user_id: int | None, client_ip: str,
                at: datetime) -> bool:
    """Count a visit through ``code``; False when this client already counted this hour."""
    referral = _find(conn, code)
    if referral is None:
        raise NotFound("referral code not found")
    if user_id == referral["user_id"]:
        return False
    inserted = conn.execute(
        "INSERT INTO referral_events (referral_id, kind, client_hash, hour_bucket, created_at)"
        " VALUES (%s, 'visit', %s, %s, %s)"
        " ON CONFLICT (referral_id, client_hash, hour_bucket) WHERE kind = 'visit' DO NOTHING RETURNING id",
        (referral["id"], views.client_key(secret, user_id, client_ip, at),
         at.replace(minute=0, second=0, microsecond=0), at),
    ).fetchone()
    return inserted is not None


def record_signup(conn: Db, code: str, user_id: int) -> bool:
    """Credit the referrer of ``code`` with the new account ``user_id``; True when it counted."""
    # An unknown code is ignored rather than failing sign-up: the code came from a shared link.
    referral = _find(conn, code)
    if referral is None or referral["user_id"] == user_id:
        return False
    inserted = conn.execute(
        "INSERT INTO referral_events (referral_id, kind, referred_user_id) VALUES (%s, 'signup', %s)"
        " ON CONFLICT (referred_user_id) DO NOTHING RETURNING id",
        (referral["id"], user_id),
    ).fetchone()
    if inserted is None:
        return False
    conn.execute("UPDATE users SET referred_by = %s WHERE id = %s", (referral["user_id"], user_id))
    awards.award(conn, referral["user_id"], referral["reward_xp"], REFERRAL_REASON, str(user_id))
    return True


def leaderboard(conn: Db, limit: int) -> list[dict[str, Any]]:
    """Top referrers by sign-ups, competition-ranked (equal counts share a rank)."""
    rows = conn.execute(_LEADERBOARD_SQL, (limit,)).fetchall()
    items: list[dict[str, Any]] = []
    for position, row in enumerate(rows, start=1):
        rank = items[-1]["rank"] if items and items[-1]["referrals"] == row["referrals"] else position
        items.append({**row, "rank": rank})
    return items


def _find(conn: Db, code: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = conn.execute(
        "SELECT id, user_id, reward_xp FROM referrals WHERE code = %s", (normalise(code),)).fetchone()
    return row
