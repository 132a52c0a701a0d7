"""Applying a verified Stripe event, exactly once, in any delivery order.

The event id is inserted into ``stripe_events`` (primary key) in the request's transaction, before
the effect: a redelivery finds it and does nothing, and a concurrent copy of the same event waits
on the first one's row lock, then finds it committed (or, if the first rolled back, applies it).
A failure of ours (the database, Stripe's API) rolls both back and answers 5xx, so Stripe retries.

With a secret key configured, the subscription an event is about is re-fetched from Stripe and
the fetched state is applied (Ghost's way: the event only says *which* subscription changed).
Without a key, the event's own subscription object is applied if it is newer than what is
recorded (``layers.services.payments.state``). Checkout and invoice events carry no subscription
state of their own: without a key they link the customer, record the payment or send the email,
and the ``customer.subscription.*`` events that Stripe sends beside them carry the state.

Signed bodies the service cannot read (``stripe_objects``) never answer 5xx, since the same
body would fail the same way on each of Stripe's retries for days, and nothing of them is written:

- **No readable envelope** (``created`` missing, not a number, not positive, past 9999 or in the
  future; ``data.object`` missing or not an object; ``id``/``type`` unstorable): **400** with a
  detail naming the field, nothing recorded. Not an event in Stripe's shape, so the sender should
  see the refusal (Stripe's dashboard shows the detail). A future ``created`` is refused because
  it would outrank every real event of its subscription and freeze its state.
- **A type it handles, with an object it cannot read** (a subscription without ``id``, an invoice
  whose ``amount_due`` is a string, ``items`` that is not a list object, ...): **200** with
  ``outcome: ignored``, logged at error level with the event id and the field, and *not*
  recorded in ``stripe_events``, so a redelivery after a fix applies it. The envelope is
  Stripe's, so this is a shape the code does not know (an API version change); refusing it would
  only have Stripe retry the identical body for three days and flag the endpoint as failing.
  The state it carried is not lost: the hourly ``stripe_sync`` job re-reads subscriptions.
- **A type it does not handle**: 200 ``ignored``, recorded (as before).
- With a key, a **subscription re-fetched from Stripe** that cannot be read is Stripe's answer,
  not the event's: 503 and a rollback, so the event applies on a redelivery once fixed. One
  Stripe answers 404 for (an event about a subscription it does not know): 200 ``ignored``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from layers.core.db import Db
from layers.core.errors import BadRequest, DependencyUnavailable, NotFound
from layers.core.logging import get_logger
from layers.core.ports import Payments
from layers.core.settings import Settings
from layers.services.payments import plans, state, stripe_objects
from layers.tasks import outbox

log = get_logger("payments.webhook")
Outcome = Literal["applied", "duplicate", "ignored"]


class PaymentFailedEmail(BaseModel):
    """Payload of the ``send_payment_failed_email`` task."""

    user_id: int
    invoice_id: str
    amount_due: int
    currency: str
    hosted_invoice_url: str | None = None
    next_payment_attempt: datetime | None = None


def apply_event(conn: Db, payments: Payments, settings: Settings, body: Mapping[str, Any],
                now: datetime) -> Outcome:
    """Apply one verified event; what happens to one the service cannot read is in the module doc."""
    try:
        event = stripe_objects.event(body, now)
    except stripe_objects.Malformed as exc:
        log.warning("signed webhook body refused", extra={"event_id": str(body.get("id"))[:100], "problem": str(exc)})
        raise BadRequest(f"not a Stripe event this endpoint can read: {exc}") from exc
    handler = _HANDLERS.get(event.type)
    try:
        # Read whole before anything is written: a field that cannot be read leaves no trace.
        parsed = handler.read(event.obj, settings) if handler else None
    except stripe_objects.Malformed as exc:
        log.error("signed Stripe event ignored: its object cannot be read",
                  extra={"event_id": event.id, "type": event.type, "problem": f"data.object.{exc}"})
        return "ignored"
    first = conn.execute(
        "INSERT INTO stripe_events (id, type, created) VALUES (%s, %s, %s) ON CONFLICT (id) DO NOTHING RETURNING id",
        (event.id, event.type, event.created),
    ).fetchone()
    if first is None:
        return "duplicate"
    if handler is None:
        return "ignored"  # recorded all the same: a redelivery costs one lookup
    return handler.apply(conn, payments, settings, parsed, event.created)


@dataclass(frozen=True)
class Checkout:
    session_id: str | None
    subscription_mode: bool
    user_hint: int | None
    customer_id: str | None
    subscription_id: str | None


@dataclass(frozen=True)
class Invoice:
    invoice_id: str
    subscription_id: str | None
    customer_id: str | None
    user_hint: int | None
    price_id: str | None
    amount_paid: int | None
    amount_due: int
    currency: str
    hosted_invoice_url: str | None
    next_payment_attempt: datetime | None


def _read_checkout(obj: dict[str, Any], settings: Settings) -> Checkout:
    hint = (stripe_objects.user_id_from({"user_id": obj.get("client_reference_id")})
            or stripe_objects.user_id_from(obj.get("metadata")))
    return Checkout(session_id=stripe_objects.text(obj.get("id"), "id"),
                    subscription_mode=obj.get("mode") == "subscription", user_hint=hint,
                    customer_id=stripe_objects.object_id(obj.get("customer"), "customer"),
                    subscription_id=stripe_objects.object_id(obj.get("subscription"), "subscription"))


def _read_invoice(obj: dict[str, Any], settings: Settings) -> Invoice:
    # API 2025-03-31+: the subscription is under parent.subscription_details; before, at the top.
    details = stripe_objects.mapping(stripe_objects.mapping(obj.get("parent"), "parent").get("subscription_details"),
                                     "parent.subscription_details")
    subscription = details.get("subscription") or obj.get("subscription")
    line = stripe_objects.first_item(obj.get("lines"), "lines")
    pricing = stripe_objects.mapping(stripe_objects.mapping(line.get("pricing"), "lines.data[0].pricing")
                                     .get("price_details"), "lines.data[0].pricing.price_details")
    return Invoice(
        invoice_id=stripe_objects.text(obj.get("id"), "id", optional=False) or "",
        subscription_id=stripe_objects.object_id(subscription, "subscription"),
        customer_id=stripe_objects.object_id(obj.get("customer"), "customer"),
        user_hint=stripe_objects.user_id_from(details.get("metadata")),
        price_id=stripe_objects.object_id(pricing.get("price") or line.get("price"), "lines.data[0].price"),
        amount_paid=stripe_objects.integer(obj.get("amount_paid"), "amount_paid"),
        amount_due=stripe_objects.integer(obj.get("amount_due"), "amount_due") or 0,
        currency=stripe_objects.text(obj.get("currency"), "currency") or "",
        hosted_invoice_url=stripe_objects.text(obj.get("hosted_invoice_url"), "hosted_invoice_url",
                                               limit=stripe_objects.MAX_URL),
        next_payment_attempt=stripe_objects.timestamp(obj.get("next_payment_attempt"), "next_payment_attempt"),
    )


def _subscription_event(conn: Db, payments: Payments, settings: Settings, carried: state.SubscriptionState,
                        created: datetime) -> Outcome:
    return _sync_subscription(conn, payments, settings, carried.subscription_id, created, carried=carried)


def _checkout_completed(conn: Db, payments: Payments, settings: Settings, session: Checkout,
                        created: datetime) -> Outcome:
    if not session.subscription_mode:
        return "ignored"
    user_id = state.find_user(conn, hint=session.user_hint, subscription_id=None, customer_id=session.customer_id)
    if user_id is None:
        log.warning("checkout session for an unknown user", extra={"session": session.session_id})
        return "ignored"
    state.link_customer(conn, user_id, session.customer_id)
    if session.subscription_id is not None and payments.has_api_key:
        _sync_subscription(conn, payments, settings, session.subscription_id, created, carried=None, user_id=user_id)
    return "applied"


def _invoice_paid(conn: Db, payments: Payments, settings: Settings, invoice: Invoice,
                  created: datetime) -> Outcome:
    user_id = _invoice_owner(conn, invoice)
    if user_id is None:
        return "ignored"
    conn.execute(
        "INSERT INTO payments (user_id, stripe_invoice_id, status, plan, amount_cents, currency)"
        " VALUES (%s, %s, 'paid', %s, %s, %s) ON CONFLICT (stripe_invoice_id) DO NOTHING",
        (user_id, invoice.invoice_id, plans.name_for_price(settings, invoice.price_id), invoice.amount_paid,
         invoice.currency or None),
    )
    if invoice.subscription_id is not None and payments.has_api_key:
        _sync_subscription(conn, payments, settings, invoice.subscription_id, created, carried=None, user_id=user_id)
    return "applied"


def _invoice_payment_failed(conn: Db, payments: Payments, settings: Settings, invoice: Invoice,
                            created: datetime) -> Outcome:
    user_id = _invoice_owner(conn, invoice)
    if user_id is None:
        return "ignored"
    outbox.enqueue(conn, "send_payment_failed_email", PaymentFailedEmail(
        user_id=user_id, invoice_id=invoice.invoice_id, amount_due=invoice.amount_due, currency=invoice.currency,
        hosted_invoice_url=invoice.hosted_invoice_url, next_payment_attempt=invoice.next_payment_attempt))
    if invoice.subscription_id is not None and payments.has_api_key:
        _sync_subscription(conn, payments, settings, invoice.subscription_id, created, carried=None, user_id=user_id)
    return "applied"


def _sync_subscription(conn: Db, payments: Payments, settings: Settings, subscription_id: str,
                       created: datetime, *, carried: state.SubscriptionState | None,
                       user_id: int | None = None) -> Outcome:
    """Apply the fetched state (with a key) or the event's own (``carried``), for its user."""
    state.lock(conn, subscription_id)
    fetched = payments.has_api_key
    try:
        current = _fetched(payments, settings, subscription_id) if fetched else carried
    except NotFound:
        # A subscription Stripe does not know (a hand-made or test-mode event): nothing to apply,
        # and no redelivery would change that.
        log.warning("event about a subscription the payment provider does not know",
                    extra={"subscription": subscription_id})
        return "ignored"
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


def _fetched(payments: Payments, settings: Settings, subscription_id: str) -> state.SubscriptionState:
    try:
        return state.from_stripe(payments.retrieve_subscription(subscription_id), settings)
    except stripe_objects.Malformed as exc:
        # Stripe's own answer, not the event: the event is fine and applies once this is fixed,
        # so the transaction rolls back and Stripe keeps redelivering it meanwhile.
        log.error("Stripe returned a subscription this service cannot read",
                  extra={"subscription": subscription_id, "problem": str(exc)})
        raise DependencyUnavailable("the payment provider returned a subscription this service cannot read") from exc


def _invoice_owner(conn: Db, invoice: Invoice) -> int | None:
    user_id = state.find_user(conn, hint=invoice.user_hint, subscription_id=invoice.subscription_id,
                              customer_id=invoice.customer_id)
    if user_id is None:
        log.warning("invoice for an unknown customer", extra={"invoice": invoice.invoice_id})
    return user_id


@dataclass(frozen=True)
class _Handler:
    read: Callable[[dict[str, Any], Settings], Any]
    apply: Callable[[Db, Payments, Settings, Any, datetime], Outcome]


_SUBSCRIPTION = _Handler(state.from_stripe, _subscription_event)
_INVOICE_PAID = _Handler(_read_invoice, _invoice_paid)
_HANDLERS: dict[str, _Handler] = {
    "checkout.session.completed": _Handler(_read_checkout, _checkout_completed),
    "customer.subscription.created": _SUBSCRIPTION,
    "customer.subscription.updated": _SUBSCRIPTION,
    "customer.subscription.deleted": _SUBSCRIPTION,
    "invoice.paid": _INVOICE_PAID,
    "invoice.payment_failed": _Handler(_read_invoice, _invoice_payment_failed),
}
