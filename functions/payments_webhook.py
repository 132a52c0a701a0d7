"""payments_webhook router: Stripe's signed events, its own function.

The route decorator verifies ``Stripe-Signature`` on the raw body before anything is parsed
(400 when missing, forged or older than 300 s); the service records the event id and applies it
in the request's transaction, so a failure of ours answers 5xx and Stripe retries. A signed body
it cannot read never answers 5xx (``layers.services.payments.webhook`` says which 400 and which
200 ``ignored``).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from layers.core.db import Db
from layers.core.ports import Clock, Payments
from layers.core.settings import Settings
from layers.http.routing import Router
from layers.schemas.payments import WebhookOut
from layers.services.payments import webhook

router = Router("payments_webhook", tag="payments")


@router.post("/api/payments/webhook", auth="stripe", response=WebhookOut, rate_group="stripe", errors=(400, 503))
def receive_event(db: Db, event: Mapping[str, Any], payments: Payments, settings: Settings,
                  clock: Clock) -> dict[str, Any]:
    """Apply one Stripe event once, in any delivery order; unknown types answer 200 (`ignored`)."""
    # A signed body without a readable envelope answers 400 naming the field; a handled type whose
    # object cannot be read answers 200 `ignored`, logged, nothing written (the service's doc).
    return {"received": True, "outcome": webhook.apply_event(db, payments, settings, event, clock.now())}
