"""The payments port on the real Stripe SDK (``stripe`` 16.x, imported on first use).

Webhook verification uses only ``STRIPE_WEBHOOK_SECRET`` (the SDK's HMAC check on the raw body,
300 s tolerance), so the webhook function works on a stage with no secret key. Everything that
calls Stripe's API needs ``STRIPE_SECRET_KEY`` and answers ``DependencyUnavailable`` (503) without
it. Tests give the real SDK an in-process HTTP client (``http_client=``): every request goes
through the SDK's own encoding, headers and response parsing, and no socket is opened.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from layers.core.errors import BadRequest, Conflict, DependencyUnavailable, NotFound
from layers.core.logging import get_logger
from layers.core.ports import CheckoutSession

log = get_logger("adapters.stripe")
TOLERANCE_SECONDS = 300  # Stripe's default: a signed body older than this is refused (replays)
# The SDK waits 80 s by default; a webhook holds its transaction (and the function its 30 s) meanwhile.
# Two tries of 8 s stay well inside the function's timeout, and Stripe retries the webhook anyway.
TIMEOUT_SECONDS = 8


class StripePayments:
    def __init__(self, secret_key: str | None, webhook_secret: str | None, *,
                 http_client: Any = None, max_network_retries: int = 1) -> None:
        self._secret_key = secret_key or None
        self._webhook_secret = webhook_secret or None
        self._http_client = http_client
        self._retries = max_network_retries
        self._client: Any = None

    @property
    def has_api_key(self) -> bool:
        return self._secret_key is not None

    def verify_event(self, payload: bytes, signature: str | None) -> Mapping[str, Any]:
        import stripe

        if self._webhook_secret is None:
            # Our configuration, not the sender's fault: a 5xx keeps Stripe retrying until fixed.
            raise DependencyUnavailable("webhook verification is not configured (STRIPE_WEBHOOK_SECRET)")
        try:
            # The check ``Webhook.construct_event`` makes, without its Event object (which the
            # services do not use, and which fails with an AttributeError on a signed JSON array).
            stripe.WebhookSignature.verify_header(payload, signature, self._webhook_secret, TOLERANCE_SECONDS)
            event: Any = json.loads(payload)
        except (stripe.SignatureVerificationError, ValueError, RecursionError) as exc:
            # RecursionError: JSON nested deeper than the parser's recursion limit.
            raise BadRequest("invalid Stripe signature or payload") from exc
        if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
            raise BadRequest("not a Stripe event")
        return event

    def create_checkout_session(self, *, price_id: str, user_id: int, email: str,
                                customer_id: str | None, success_url: str, cancel_url: str,
                                idempotency_key: str) -> CheckoutSession:
        params: dict[str, Any] = {
            "mode": "subscription",
            "line_items": [{"price": price_id, "quantity": 1}],
            "client_reference_id": str(user_id),
            "metadata": {"user_id": str(user_id)},
            # Copied onto the subscription, so its own events name the user too.
            "subscription_data": {"metadata": {"user_id": str(user_id)}},
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        params.update({"customer": customer_id} if customer_id else {"customer_email": email})
        session = self._call(lambda c: c.v1.checkout.sessions.create(
            params=params, options={"idempotency_key": idempotency_key}))
        return CheckoutSession(id=session["id"], url=session["url"])

    def create_portal_session(self, *, customer_id: str, return_url: str) -> str:
        session = self._call(lambda c: c.v1.billing_portal.sessions.create(
            params={"customer": customer_id, "return_url": return_url}))
        url: str = session["url"]
        return url

    def retrieve_subscription(self, subscription_id: str) -> Mapping[str, Any]:
        """The subscription as Stripe has it now; ``NotFound`` when Stripe has no such subscription."""
        return self._call(lambda c: c.v1.subscriptions.retrieve(subscription_id),
                          missing="no such subscription at the payment provider")

    def _call(self, request: Any, *, missing: str | None = None) -> dict[str, Any]:
        import stripe

        try:
            result = request(self._stripe())
        except stripe.IdempotencyError as exc:
            raise Conflict("the same request is already being processed; try again") from exc
        except stripe.InvalidRequestError as exc:
            # A retrieve of an id Stripe does not know: asking again cannot help, so not a 503.
            if missing is not None and exc.http_status == 404:
                raise NotFound(missing) from exc
            raise self._unavailable(exc) from exc
        except stripe.StripeError as exc:
            raise self._unavailable(exc) from exc
        plain: dict[str, Any] = result.to_dict()
        return plain

    @staticmethod
    def _unavailable(exc: Exception) -> DependencyUnavailable:
        # The cause (and Stripe's request id) goes to the log, never into a response body.
        log.warning("Stripe API call failed", extra={"error": type(exc).__name__,
                                                     "stripe_request_id": getattr(exc, "request_id", None)})
        return DependencyUnavailable("the payment provider is unavailable; try again later")

    def _stripe(self) -> Any:
        if self._secret_key is None:
            raise DependencyUnavailable("payments are not configured on this server (STRIPE_SECRET_KEY is not set)")
        if self._client is None:
            import stripe

            http = self._http_client or stripe.new_default_http_client(timeout=TIMEOUT_SECONDS)
            self._client = stripe.StripeClient(self._secret_key, http_client=http, max_network_retries=self._retries)
        return self._client


def from_settings() -> StripePayments:
    from layers.core.settings import get_settings

    settings = get_settings()
    secret = settings.stripe_secret_key.get_secret_value() if settings.stripe_secret_key else None
    webhook = settings.stripe_webhook_secret.get_secret_value() if settings.stripe_webhook_secret else None
    return StripePayments(secret, webhook)
