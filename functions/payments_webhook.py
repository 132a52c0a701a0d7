"""payments_webhook router: Stripe's signed events, its own function.

The route decorator verifies ``Stripe-Signature`` on the raw body before anything is parsed
(400 when missing, forged or older than 300 s); the service records the event id and applies it
in the request's transaction, so a failure answers 5xx and Stripe retries.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from layers.core.db import Db
from layers.core.ports import Payments
from layers.core.settings import Settings
from layers.http.routing import Router
from layers.schemas.payments import WebhookOut
from layers.services.payments import webhook

router = Router("payments_webhook", tag="payments")


@router.post("/api/payments/webhook", auth="stripe", response=WebhookOut, rate_group="stripe", errors=(400, 503))
def receive_event(db: Db, event: Mapping[str, Any], payments: Payments, settings: Settings) -> dict[str, Any]:
    """Apply one Stripe event once, in any delivery order; unknown types answer 200 (`ignored`)."""
    return {"received": True, "outcome": webhook.apply_event(db, payments, settings, event)}
