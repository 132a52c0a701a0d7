"""Starting a subscription (Stripe Checkout) and managing one (the customer portal)."""
from __future__ import annotations

import hashlib
from datetime import datetime

from layers.core.db import Db
from layers.core.errors import Conflict, DependencyUnavailable, NotFound
from layers.core.identity import CurrentUser
from layers.core.ports import Payments
from layers.core.settings import Settings
from layers.services.payments import plans, state

# A double click inside this window reuses the first Checkout Session (Stripe replays the answer
# to a repeated idempotency key); a later click opens a fresh one.
IDEMPOTENCY_WINDOW_SECONDS = 600


def start_checkout(conn: Db, payments: Payments, settings: Settings, user: CurrentUser, plan_name: str,
                   now: datetime) -> str:
    """A Checkout Session URL for ``plan_name`` (422 unknown plan, 409 already premium, 503 no key)."""
    plan = plans.by_name(settings, plan_name)
    if user.is_premium:
        raise Conflict("you already have an active subscription; manage it from the billing portal")
    customer_id = state.current(conn, user.id)["stripe_customer_id"]
    window = int(now.timestamp()) // IDEMPOTENCY_WINDOW_SECONDS
    seed = f"checkout:{user.id}:{plan.price_id}:{customer_id or '-'}:{window}"
    session = payments.create_checkout_session(
        price_id=plan.price_id, user_id=user.id, email=user.email, customer_id=customer_id,
        success_url=f"{settings.frontend_origin}/billing/success?session_id={{CHECKOUT_SESSION_ID}}",
        cancel_url=f"{settings.frontend_origin}/pricing",
        idempotency_key="checkout-" + hashlib.sha256(seed.encode()).hexdigest(),
    )
    return session.url


def open_portal(conn: Db, payments: Payments, settings: Settings, user: CurrentUser) -> str:
    """A customer-portal URL (503 without a key, 404 before the user has a Stripe customer)."""
    if not payments.has_api_key:
        raise DependencyUnavailable("payments are not configured on this server (STRIPE_SECRET_KEY is not set)")
    customer_id = state.current(conn, user.id)["stripe_customer_id"]
    if customer_id is None:
        raise NotFound("no billing account yet: subscribe to a plan first")
    return payments.create_portal_session(customer_id=customer_id, return_url=f"{settings.frontend_origin}/account")
