"""The daily digest: opt-in and out, and the daily fan-out of one task per subscriber.

"Never the same digest twice" rests on ``digest_deliveries`` (one row per subscriber per
digest date): the job skips subscribers that already have that day's row, and the
``send_digest`` task claims the row in the worker's transaction before it sends, so a re-run
job, a retried invocation or a redelivered message finds the row and sends nothing.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from layers.core.db import Db
from layers.core.errors import BadRequest, NotFound
from layers.services import account_settings
from layers.tasks import outbox

WINDOW = timedelta(hours=24)
MAX_POSTS = 20  # a digest is a digest: past this, the newest posts win

# Digests go only to active accounts with a verified address: bulk mail to an address nobody
# confirmed owning is how a sender's reputation (and someone else's inbox) suffers.
_RECIPIENT = "u.is_active AND u.email_verified"


def status(conn: Db, user_id: int) -> dict[str, Any]:
    row: dict[str, Any] | None = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM digest_subscriptions WHERE user_id = u.id) AS subscribed,"
        " u.email_verified FROM users u WHERE u.id = %s",
        (user_id,),
    ).fetchone()
    if row is None:
        raise NotFound("user not found")
    return row


def subscribe(conn: Db, user_id: int) -> dict[str, Any]:
    account_settings.set_digest(conn, user_id, True)
    return status(conn, user_id)


def unsubscribe(conn: Db, user_id: int) -> dict[str, Any]:
    account_settings.set_digest(conn, user_id, False)
    return status(conn, user_id)


def unsubscribe_by_token(conn: Db, token: str) -> None:
    """The emailed link and List-Unsubscribe: no sign-in, the token is the credential."""
    row = conn.execute("DELETE FROM digest_subscriptions WHERE unsubscribe_token = %s RETURNING user_id",
                       (token,)).fetchone()
    if row is None:
        raise BadRequest("unsubscribe link is invalid or already used")


def enqueue_daily(conn: Db, at: datetime) -> dict[str, int]:
    """Queue the digest for ``at``'s date to every subscriber who has not had it yet."""
    posts = [r["id"] for r in conn.execute(
        "SELECT id FROM posts WHERE status = 'published' AND published_at > %s AND published_at <= %s"
        " ORDER BY published_at DESC, id DESC LIMIT %s",
        (at - WINDOW, at, MAX_POSTS),
    )]
    if not posts:
        return {"posts": 0, "subscribers": 0, "enqueued": 0}
    digest_date = at.date()
    subscribers = [r["user_id"] for r in conn.execute(
        "SELECT s.user_id FROM digest_subscriptions s JOIN users u ON u.id = s.user_id"
        f" WHERE {_RECIPIENT} AND NOT EXISTS (SELECT 1 FROM digest_deliveries d"
        "  WHERE d.user_id = s.user_id AND d.digest_date = %s) ORDER BY s.user_id",
        (digest_date,),
    )]
    for user_id in subscribers:
        outbox.enqueue(conn, "send_digest", {"user_id": user_id, "digest_date": digest_date, "post_ids": posts})
    return {"posts": len(posts), "subscribers": len(subscribers), "enqueued": len(subscribers)}


def recipient(conn: Db, user_id: int) -> dict[str, Any] | None:
    """Email, name and unsubscribe token of a current subscriber, or None."""
    row: dict[str, Any] | None = conn.execute(
        "SELECT u.email, u.name, s.unsubscribe_token FROM digest_subscriptions s JOIN users u ON u.id = s.user_id"
        f" WHERE s.user_id = %s AND {_RECIPIENT}",
        (user_id,),
    ).fetchone()
    return row


def digest_posts(conn: Db, post_ids: list[int]) -> list[dict[str, Any]]:
    """The digest's posts that are still published; the excerpt only, never the body."""
    return conn.execute(
        "SELECT title, slug, excerpt, is_premium FROM posts"
        " WHERE id = ANY(%s) AND status = 'published' ORDER BY published_at DESC, id DESC",
        (post_ids,),
    ).fetchall()


def claim_delivery(conn: Db, user_id: int, digest_date: date) -> bool:
    """True for the first claim of this subscriber's digest for this date."""
    return conn.execute(
        "INSERT INTO digest_deliveries (user_id, digest_date) VALUES (%s, %s)"
        " ON CONFLICT (user_id, digest_date) DO NOTHING RETURNING user_id",
        (user_id, digest_date),
    ).fetchone() is not None
