"""payments router: plans, Stripe Checkout, the caller's subscription and the billing portal.

The webhook is its own function (``functions/payments_webhook.py``): it needs no user session
and only the webhook secret, and Stripe's retries should never share a function with readers.
"""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.ports import Clock, Payments
from layers.core.settings import Settings
from layers.http.routing import Router
from layers.schemas.payments import CheckoutIn, CheckoutOut, Plan, PortalOut, SubscriptionOut
from layers.services.payments import checkout, plans, state

router = Router("payments")


@router.get("/api/payments/plans", response=list[Plan])
def list_plans(settings: Settings) -> list[Plan]:
    """The plans on sale, with their Stripe price, amount (minor units), currency and interval."""
    return plans.all_plans(settings)


@router.post("/api/payments/checkout", auth="user", body=CheckoutIn, response=CheckoutOut, errors=(409, 503))
def start_checkout(db: Db, user: CurrentUser, body: CheckoutIn, payments: Payments, settings: Settings,
                   clock: Clock) -> dict[str, Any]:
    """A Stripe Checkout URL (subscription mode) for `plan`.

    422 for an unknown plan, 409 when already subscribed, 503 when Stripe is not configured or
    unreachable. A repeated click within ten minutes answers the same session.
    """
    return {"checkout_url": checkout.start_checkout(db, payments, settings, user, body.plan, clock.now())}


@router.get("/api/payments/subscription", auth="user", response=SubscriptionOut)
def get_subscription(db: Db, user: CurrentUser) -> dict[str, Any]:
    """The caller's subscription; `status` is `none` (not a 404) before the first one."""
    return state.current(db, user.id)


@router.post("/api/payments/portal", auth="user", response=PortalOut, errors=(404, 503))
def open_portal(db: Db, user: CurrentUser, payments: Payments, settings: Settings) -> dict[str, Any]:
    """A Stripe customer-portal URL (cancel, change card); 404 before any checkout, 503 without Stripe."""
    return {"portal_url": checkout.open_portal(db, payments, settings, user)}
