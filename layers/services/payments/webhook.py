"""Applying a verified Stripe event, exactly once, in any delivery order.

The event id is inserted into ``stripe_events`` (primary key) in the request's transaction, before
the effect: a redelivery finds it and does nothing, and a concurrent copy of the same event waits
on the first one's row lock, then finds it committed (or, if the first rolled back, applies it).
Any failure rolls both back and answers 5xx, so Stripe retries.

With a secret key configured, the subscription an event is about is re-fetched from Stripe and
the fetched state is applied (Ghost's way: the event only says *which* subscription changed).
Without a key, the event's own subscription object is applied if it is newer than what is
recorded (``layers.services.payments.state``). Checkout and invoice events carry no subscription
state of their own: without a key they link the customer, record the payment or send the email,
and the ``customer.subscription.*`` events that Stripe sends beside them carry the state.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from layers.core.db import Db
from layers.core.errors import BadRequest
from layers.core.logging import get_logger
from layers.core.ports import Payments
from layers.core.settings import Settings
from layers.services.payments import plans, state
from layers.tasks import outbox

log = get_logger("payments.webhook")
Outcome = Literal["applied", "duplicate", "ignored"]
Handler = Callable[[Db, Payments, Settings, dict[str, Any], datetime], Outcome]


class PaymentFailedEmail(BaseModel):
    """Payload of the ``send_payment_failed_email`` task."""

    user_id: int
    invoice_id: str
    amount_due: int
    currency: str
    hosted_invoice_url: str | None = None
    next_payment_attempt: datetime | None = None


def apply_event(conn: Db, payments: Payments, settings: Settings, event: Mapping[str, Any]) -> Outcome:
    created = state.timestamp(event.get("created"))
    obj = (event.get("data") or {}).get("object")
    if created is None or not isinstance(obj, dict):
        raise BadRequest("event without created time or object")
    first = conn.execute(
        "INSERT INTO stripe_events (id, type, created) VALUES (%s, %s, %s) ON CONFLICT (id) DO NOTHING RETURNING id",
        (event["id"], event["type"], created),
    ).fetchone()
    if first is None:
        return "duplicate"
    handler = _HANDLERS.get(str(event["type"]))
    if handler is None:
        return "ignored"  # recorded all the same: a redelivery costs one lookup
    return handler(conn, payments, settings, obj, created)


def _subscription_event(conn: Db, payments: Payments, settings: Settings, obj: dict[str, Any],
                        created: datetime) -> Outcome:
    return _sync_subscription(conn, payments, settings, str(obj["id"]), created,
                              carried=state.from_stripe(obj, settings))


def _checkout_completed(conn: Db, payments: Payments, settings: Settings, obj: dict[str, Any],
                        created: datetime) -> Outcome:
    if obj.get("mode") != "subscription":
        return "ignored"
    hint = state.user_id_from({"user_id": obj.get("client_reference_id")}) or state.user_id_from(obj.get("metadata"))
    customer = state.object_id(obj.get("customer"))
    user_id = state.find_user(conn, hint=hint, subscription_id=None, customer_id=customer)
    if user_id is None:
        log.warning("checkout session for an unknown user", extra={"session": obj.get("id")})
        return "ignored"
    state.link_customer(conn, user_id, customer)
    subscription_id = state.object_id(obj.get("subscription"))
    if subscription_id is not None and payments.has_api_key:
        _sync_subscription(conn, payments, settings, subscription_id, created, carried=None, user_id=user_id)
    return "applied"


def _invoice_paid(conn: Db, payments: Payments, settings: Settings, obj: dict[str, Any],
                  created: datetime) -> Outcome:
    user_id, subscription_id = _invoice_owner(conn, obj)
    if user_id is None:
        return "ignored"
    conn.execute(
        "INSERT INTO payments (user_id, stripe_invoice_id, status, plan, amount_cents, currency)"
        " VALUES (%s, %s, 'paid', %s, %s, %s) ON CONFLICT (stripe_invoice_id) DO NOTHING",
        (user_id, str(obj["id"]), plans.name_for_price(settings, _invoice_price(obj)),
         obj.get("amount_paid"), obj.get("currency")),
    )
    if subscription_id is not None and payments.has_api_key:
        _sync_subscription(conn, payments, settings, subscription_id, created, carried=None, user_id=user_id)
    return "applied"


def _invoice_payment_failed(conn: Db, payments: Payments, settings: Settings, obj: dict[str, Any],
                            created: datetime) -> Outcome:
    user_id, subscription_id = _invoice_owner(conn, obj)
    if user_id is None:
        return "ignored"
    outbox.enqueue(conn, "send_payment_failed_email", PaymentFailedEmail(
        user_id=user_id, invoice_id=str(obj["id"]), amount_due=int(obj.get("amount_due") or 0),
        currency=str(obj.get("currency") or ""), hosted_invoice_url=obj.get("hosted_invoice_url"),
        next_payment_attempt=state.timestamp(obj.get("next_payment_attempt"))))
    if subscription_id is not None and payments.has_api_key:
        _sync_subscription(conn, payments, settings, subscription_id, created, carried=None, user_id=user_id)
    return "applied"


def _sync_subscription(conn: Db, payments: Payments, settings: Settings, subscription_id: str,
                       created: datetime, *, carried: state.SubscriptionState | None,
                       user_id: int | None = None) -> Outcome:
    """Apply the fetched state (with a key) or the event's own (``carried``), for its user."""
    state.lock(conn, subscription_id)
    fetched = payments.has_api_key
    current = state.from_stripe(payments.retrieve_subscription(subscription_id), settings) if fetched else carried
    if current is None:
        return "ignored"
    owner = state.find_user(conn, hint=user_id or current.user_hint, subscription_id=current.subscription_id,
                            customer_id=current.customer_id)
    if owner is None:
        # Not created by our checkout and no customer we know: nothing here to update.
        log.warning("subscription event for an unknown customer", extra={"subscription": subscription_id})
        return "ignored"
    state.apply(conn, owner, current, created, fetched=fetched)
    return "applied"


def _invoice_owner(conn: Db, invoice: dict[str, Any]) -> tuple[int | None, str | None]:
    # API 2025-03-31+: the subscription is under parent.subscription_details; before, at the top.
    details = ((invoice.get("parent") or {}).get("subscription_details") or {})
    subscription_id = state.object_id(details.get("subscription") or invoice.get("subscription"))
    user_id = state.find_user(conn, hint=state.user_id_from(details.get("metadata")),
                              subscription_id=subscription_id,
                              customer_id=state.object_id(invoice.get("customer")))
    if user_id is None:
        log.warning("invoice for an unknown customer", extra={"invoice": invoice.get("id")})
    return user_id, subscription_id


def _invoice_price(invoice: dict[str, Any]) -> str | None:
    lines = (invoice.get("lines") or {}).get("data") or [{}]
    line = lines[0] or {}
    details = (line.get("pricing") or {}).get("price_details") or {}
    price = details.get("price") or line.get("price")
    return state.object_id(price)


_HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": _checkout_completed,
    "customer.subscription.created": _subscription_event,
    "customer.subscription.updated": _subscription_event,
    "customer.subscription.deleted": _subscription_event,
    "invoice.paid": _invoice_paid,
    "invoice.payment_failed": _invoice_payment_failed,
}
