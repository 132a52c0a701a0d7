"""Newsletter subscriptions with double opt-in.

``subscribe`` never says whether an address is known: the caller always gets the same answer,
and at most one confirmation email goes to an address per ``RESEND_WINDOW`` however often it is
submitted. The confirmation token is minted by the ``send_newsletter_confirmation`` task, so its
plaintext exists only in the email; the database keeps its SHA-256.
"""
from __future__ import annotations

import secrets
from typing import Any

from layers.core.db import Db
from layers.core.errors import BadRequest
from layers.services.auth import tokens
from layers.tasks import outbox

RESEND_WINDOW_MINUTES = 10
CONFIRM_TTL_HOURS = 48


def subscribe(conn: Db, email: str) -> None:
    email = email.lower()
    row = conn.execute(
        "INSERT INTO newsletter_subscriptions (email, unsubscribe_token, confirmation_sent_at)"
        " VALUES (%s, %s, now()) ON CONFLICT (email) DO NOTHING RETURNING id",
        (email, secrets.token_urlsafe(32)),
    ).fetchone()
    if row is None:
        row = _resubscribe(conn, email)
    if row is not None:
        outbox.enqueue(conn, "send_newsletter_confirmation", {"subscription_id": row["id"]})


def _resubscribe(conn: Db, email: str) -> dict[str, Any] | None:
    """The known address's row if a confirmation should go out now, else None."""
    row: dict[str, Any] | None = conn.execute(
        "UPDATE newsletter_subscriptions SET status = 'pending', confirmation_sent_at = now(),"
        " unsubscribed_at = NULL"
        " WHERE email = %s AND status <> 'confirmed'"
        " AND (confirmation_sent_at IS NULL"
        "      OR confirmation_sent_at <= now() - make_interval(mins => %s))"
        " RETURNING id",
        (email, RESEND_WINDOW_MINUTES),
    ).fetchone()
    return row


def issue_confirmation(conn: Db, subscription_id: int) -> dict[str, Any] | None:
    """A fresh confirm token for a pending subscription: ``{email, token,
    unsubscribe_token}``, or None when there is nothing to confirm any more."""
    token, token_hash = tokens.new_opaque_token()
    row = conn.execute(
        "UPDATE newsletter_subscriptions SET confirm_token_hash = %s, confirmation_sent_at = now()"
        " WHERE id = %s AND status = 'pending' RETURNING email, unsubscribe_token",
        (token_hash, subscription_id),
    ).fetchone()
    return None if row is None else {**row, "token": token}


def confirm(conn: Db, token: str) -> None:
    """Confirm by the emailed token; confirming twice with the same link is fine."""
    row = conn.execute(
        "UPDATE newsletter_subscriptions SET status = 'confirmed', confirmed_at = now()"
        " WHERE confirm_token_hash = %s AND status = 'pending'"
        " AND confirmation_sent_at > now() - make_interval(hours => %s)"
        " RETURNING id",
        (tokens.digest(token), CONFIRM_TTL_HOURS),
    ).fetchone()
    if row is None:
        row = conn.execute(
            "SELECT id FROM newsletter_subscriptions WHERE confirm_token_hash = %s AND status = 'confirmed'",
            (tokens.digest(token),),
        ).fetchone()
    if row is None:
        raise BadRequest("confirmation link is invalid or expired")


def unsubscribe(conn: Db, token: str) -> None:
    """Unsubscribe by the token every newsletter email carries; repeating it is fine."""
    row = conn.execute(
        "UPDATE newsletter_subscriptions SET status = 'unsubscribed',"
        " unsubscribed_at = coalesce(unsubscribed_at, now()), confirm_token_hash = NULL"
        " WHERE unsubscribe_token = %s RETURNING id",
        (token,),
    ).fetchone()
    if row is None:
        raise BadRequest("unsubscribe link is invalid")
