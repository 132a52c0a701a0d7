"""Subscription state: one ``subscriptions`` row per user, written only from what Stripe says.

Ordering. Stripe delivers events in any order, so each write carries the ``created`` time of the
event it came from (``state_as_of``) and an older state never overwrites a newer one. Stripe's
clock has one-second resolution and a subscription's ``created`` and first ``updated`` events
often share a second; on a tie the state further along the lifecycle wins (``incomplete`` before
``trialing`` before ``active`` ... before ``canceled``), which never moves a subscription back.

Several subscriptions of one user (a second checkout in another tab): an event about a different
subscription than the recorded one replaces it only if it is newer and not an ended subscription
replacing a live one, so cancelling an old subscription never takes premium from a new one.

A state re-fetched from Stripe (with a key configured) is the truth at the time of the fetch and
is written whatever its age; ``lock`` serialises fetch-and-write per subscription, so a slower
fetch of an older state cannot land after a newer one.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from layers.core.db import Db
from layers.core.errors import NotFound
from layers.core.settings import Settings
from layers.services.payments import plans, stripe_objects
from layers.services.users import IS_PREMIUM_SQL

LIVE_STATUSES = ("active", "trialing", "past_due")
# Lifecycle order for same-second ties; statuses not listed rank first.
_LIFECYCLE = ("incomplete", "trialing", "active", "past_due", "unpaid", "paused", "canceled", "incomplete_expired")
_LOCK_NAMESPACE = 7400  # first key of the advisory lock serialising writes of one subscription


@dataclass(frozen=True)
class SubscriptionState:
    subscription_id: str
    customer_id: str | None
    status: str
    plan: str | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    user_hint: int | None  # metadata.user_id, set by our checkout


def from_stripe(sub: Mapping[str, Any], settings: Settings) -> SubscriptionState:
    """Read a Stripe subscription object (API 2025-03-31+: the period lives on its items);
    ``stripe_objects.Malformed`` when a field it needs is missing or of the wrong type."""
    first = stripe_objects.first_item(sub.get("items"), "items")
    period_end = first.get("current_period_end")
    if period_end is None:
        period_end = sub.get("current_period_end")
    price = first.get("price")
    return SubscriptionState(
        subscription_id=stripe_objects.text(sub.get("id"), "id", optional=False) or "",
        customer_id=stripe_objects.object_id(sub.get("customer"), "customer"),
        status=stripe_objects.text(sub.get("status"), "status") or "incomplete",
        plan=plans.name_for_price(settings, stripe_objects.object_id(price, "items.data[0].price")),
        current_period_end=stripe_objects.timestamp(period_end, "current_period_end"),
        cancel_at_period_end=(stripe_objects.flag(sub.get("cancel_at_period_end"), "cancel_at_period_end")
                              or stripe_objects.timestamp(sub.get("cancel_at"), "cancel_at") is not None),
        user_hint=stripe_objects.user_id_from(sub.get("metadata")),
    )


def lock(conn: Db, subscription_id: str) -> None:
    conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_LOCK_NAMESPACE, subscription_id))


def find_user(conn: Db, *, hint: int | None, subscription_id: str | None, customer_id: str | None) -> int | None:
    """The user an event is about: the id our checkout put in metadata, else the recorded ids."""
    row = conn.execute(
        "SELECT id, 1 AS rank FROM users WHERE id = %(hint)s"
        " UNION ALL SELECT user_id, 2 FROM subscriptions WHERE stripe_subscription_id = %(sub)s"
        " UNION ALL SELECT user_id, 3 FROM subscriptions WHERE stripe_customer_id = %(cus)s"
        " ORDER BY rank LIMIT 1",
        {"hint": hint, "sub": subscription_id, "cus": customer_id},
    ).fetchone()
    return None if row is None else int(row["id"])


def apply(conn: Db, user_id: int, state: SubscriptionState, as_of: datetime, *, fetched: bool = False) -> bool:
    """Write ``state`` unless the recorded state is newer (see the module doc); True if written."""
    row = conn.execute(
        f"""
        INSERT INTO subscriptions AS s (user_id, stripe_subscription_id, stripe_customer_id, status, plan,
                                        current_period_end, cancel_at_period_end, state_as_of, past_due_since)
        VALUES (%(user)s, %(sub)s, %(cus)s, %(status)s, %(plan)s, %(end)s, %(cancel)s, %(as_of)s,
                CASE WHEN %(status)s = 'past_due' THEN %(as_of)s END)
        ON CONFLICT (user_id) DO UPDATE SET
            stripe_subscription_id = EXCLUDED.stripe_subscription_id,
            stripe_customer_id = coalesce(EXCLUDED.stripe_customer_id, s.stripe_customer_id),
            status = EXCLUDED.status, plan = coalesce(EXCLUDED.plan, s.plan),
            current_period_end = EXCLUDED.current_period_end,
            cancel_at_period_end = EXCLUDED.cancel_at_period_end,
            state_as_of = greatest(EXCLUDED.state_as_of, s.state_as_of),
            past_due_since = CASE WHEN EXCLUDED.status <> 'past_due' THEN NULL
                                  WHEN s.status = 'past_due' THEN coalesce(s.past_due_since, EXCLUDED.past_due_since)
                                  ELSE EXCLUDED.past_due_since END,
            updated_at = now()
        WHERE ({_NEWER} OR %(fetched)s) AND {_SAME_OR_REPLACEABLE}
        RETURNING s.user_id
        """,
        {"user": user_id, "sub": state.subscription_id, "cus": state.customer_id, "status": state.status,
         "plan": state.plan, "end": state.current_period_end, "cancel": state.cancel_at_period_end,
         "as_of": as_of, "fetched": fetched, "lifecycle": list(_LIFECYCLE), "live": list(LIVE_STATUSES)},
    ).fetchone()
    return row is not None


_NEWER = """(EXCLUDED.state_as_of > s.state_as_of
    OR (EXCLUDED.state_as_of = s.state_as_of
        AND coalesce(array_position(%(lifecycle)s::text[], EXCLUDED.status), 0)
            >= coalesce(array_position(%(lifecycle)s::text[], s.status), 0)))"""
_SAME_OR_REPLACEABLE = """(s.stripe_subscription_id IS NULL
    OR s.stripe_subscription_id = EXCLUDED.stripe_subscription_id
    OR EXCLUDED.status = ANY(%(live)s::text[]) OR NOT s.status = ANY(%(live)s::text[]))"""


def link_customer(conn: Db, user_id: int, customer_id: str | None) -> None:
    """Record the user's Stripe customer (checkout completed) without touching any state."""
    conn.execute(
        "INSERT INTO subscriptions AS s (user_id, stripe_customer_id, status, state_as_of)"
        " VALUES (%s, %s, 'incomplete', '-infinity')"
        " ON CONFLICT (user_id) DO UPDATE SET"
        "   stripe_customer_id = coalesce(EXCLUDED.stripe_customer_id, s.stripe_customer_id), updated_at = now()",
        (user_id, customer_id),
    )


def current(conn: Db, user_id: int) -> dict[str, Any]:
    """The caller's view: ``status`` ``none`` before any subscription; ``is_premium`` by the one rule."""
    row: dict[str, Any] | None = conn.execute(
        f"SELECT coalesce(sub.status, 'none') AS status, sub.plan, sub.current_period_end,"
        f" coalesce(sub.cancel_at_period_end, false) AS cancel_at_period_end, sub.stripe_customer_id,"
        f" {IS_PREMIUM_SQL} AS is_premium"
        " FROM users u LEFT JOIN subscriptions sub ON sub.user_id = u.id WHERE u.id = %s",
        (user_id,),
    ).fetchone()
    if row is None:
        raise NotFound("user not found")
    return row
