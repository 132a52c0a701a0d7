"""Stripe sync: live subscriptions whose paid period ended with no renewal event.

A renewal normally arrives as ``customer.subscription.updated`` (and ``invoice.paid``) within
minutes of the period's end. When none came a day later (the leeway ``IS_PREMIUM_SQL`` also
grants), the webhook was lost or never configured: with a key, the subscription is re-fetched
from Stripe and what Stripe says is applied; without one, the subscription is marked ``expired``.
``state_as_of`` is left as it was, so any real event from Stripe still overrides the expiry.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from layers.core.db import Db
from layers.core.ports import Payments
from layers.core.settings import Settings
from layers.services.payments import state

RENEWAL_LEEWAY = timedelta(days=1)
Result = Literal["refreshed", "expired", "skipped"]


def due(conn: Db, at: datetime, limit: int) -> list[int]:
    """Users whose live subscription's period ended more than the leeway before ``at``."""
    rows = conn.execute(
        "SELECT user_id FROM subscriptions WHERE status = ANY(%s) AND current_period_end < %s"
        " ORDER BY current_period_end LIMIT %s",
        (list(state.LIVE_STATUSES), at - RENEWAL_LEEWAY, limit),
    ).fetchall()
    return [int(r["user_id"]) for r in rows]


def sync_one(conn: Db, payments: Payments, settings: Settings, user_id: int, at: datetime) -> Result:
    row = conn.execute(
        "SELECT stripe_subscription_id, state_as_of FROM subscriptions"
        " WHERE user_id = %s AND status = ANY(%s) AND current_period_end < %s FOR UPDATE",
        (user_id, list(state.LIVE_STATUSES), at - RENEWAL_LEEWAY),
    ).fetchone()
    if row is None:
        return "skipped"  # an event arrived since the list was read
    subscription_id = row["stripe_subscription_id"]
    if payments.has_api_key and subscription_id:
        state.lock(conn, subscription_id)
        fetched = state.from_stripe(payments.retrieve_subscription(subscription_id), settings)
        state.apply(conn, user_id, fetched, row["state_as_of"], fetched=True)
        return "refreshed"
    conn.execute("UPDATE subscriptions SET status = 'expired', past_due_since = NULL, updated_at = now()"
                 " WHERE user_id = %s", (user_id,))
    return "expired"
