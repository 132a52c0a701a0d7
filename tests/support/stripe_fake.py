"""Stripe without a network: an in-process HTTP client for the real SDK, and signed webhook bodies.

``FakeStripeHttp`` is a ``stripe.HTTPClient``: the SDK encodes each request, sends it here, and
parses the canned JSON answer exactly as it would Stripe's. Every request is recorded with its
form fields decoded, so tests assert what Stripe would have received.
"""
from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe

WEBHOOK_SECRET = "whsec_test_0123456789abcdef0123456789abcdef"
SECRET_KEY = "sk_test_fake_key_for_the_in_process_client"
_ids = itertools.count(1)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str] = field(default_factory=dict)


Answer = dict[str, Any] | Callable[[Request], tuple[int, dict[str, Any]]]


class FakeStripeHttp(stripe.HTTPClient):
    name = "fake"

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[Request] = []
        self.routes: dict[tuple[str, str], Answer] = {}

    def answer(self, method: str, path: str, body: Answer) -> None:
        self.routes[(method.upper(), path)] = body

    def request(self, method: str, url: str, headers: Any, post_data: Any = None, *, _usage: Any = None) -> Any:
        req = Request(method.upper(), urlsplit(url).path, dict(headers or {}), dict(parse_qsl(post_data or "")))
        self.requests.append(req)
        route = self.routes.get((req.method, req.path))
        if route is None:
            status, body = 404, {"error": {"type": "invalid_request_error", "message": f"No such route {req.path}"}}
        elif callable(route):
            status, body = route(req)
        else:
            status, body = 200, route
        return json.dumps(body), status, {"Request-Id": f"req_{next(_ids)}"}

    def request_stream(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        return None

    def sent(self, method: str, path: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path == path]


@pytest.fixture
def webhook_only() -> Any:
    """The payments port as on a stage with a webhook secret and no API key."""
    from layers import bootstrap
    from layers.adapters.stripe_payments import StripePayments

    with bootstrap.override(payments=StripePayments(None, WEBHOOK_SECRET)):
        yield


@pytest.fixture
def stripe_api() -> Any:
    """The payments port with a key, the real SDK talking to a ``FakeStripeHttp``."""
    from layers import bootstrap
    from layers.adapters.stripe_payments import StripePayments

    http = FakeStripeHttp()
    with bootstrap.override(payments=StripePayments(SECRET_KEY, WEBHOOK_SECRET, http_client=http,
                                                    max_network_retries=0)):
        yield http


# ---- Stripe objects and signed events (API 2025-03-31+ shapes) --------------------------------

def subscription(sub_id: str, *, status: str = "active", user_id: int | None = None, customer: str = "cus_1",
                 period_end: int | None = None, cancel_at_period_end: bool = False,
                 price: str = "price_monthly_placeholder") -> dict[str, Any]:
    end = period_end if period_end is not None else int(time.time()) + 30 * 86400
    return {
        "id": sub_id, "object": "subscription", "status": status, "customer": customer,
        "cancel_at_period_end": cancel_at_period_end, "cancel_at": None,
        "metadata": {"user_id": str(user_id)} if user_id else {},
        "items": {"object": "list", "data": [{"id": f"si_{sub_id}", "object": "subscription_item",
                                              "current_period_end": end, "current_period_start": end - 30 * 86400,
                                              "price": {"id": price, "object": "price"}}]},
    }


def invoice(inv_id: str, sub_id: str, *, customer: str = "cus_1", user_id: int | None = None,
            amount: int = 900) -> dict[str, Any]:
    return {
        "id": inv_id, "object": "invoice", "customer": customer, "currency": "usd",
        "amount_due": amount, "amount_paid": amount, "hosted_invoice_url": f"https://invoice.stripe.com/i/{inv_id}",
        "next_payment_attempt": None,
        "parent": {"type": "subscription_details", "subscription_details": {
            "subscription": sub_id, "metadata": {"user_id": str(user_id)} if user_id else {}}},
        "lines": {"object": "list", "data": [{"pricing": {"price_details": {"price": "price_monthly_placeholder"}}}]},
    }


def checkout_session(user_id: int, *, customer: str = "cus_1", sub_id: str = "sub_1") -> dict[str, Any]:
    return {"id": f"cs_{user_id}", "object": "checkout.session", "mode": "subscription", "status": "complete",
            "client_reference_id": str(user_id), "metadata": {"user_id": str(user_id)},
            "customer": customer, "subscription": sub_id}


def event(event_type: str, obj: dict[str, Any], *, created: int | None = None, event_id: str | None = None) -> bytes:
    body = {"id": event_id or f"evt_{next(_ids)}", "object": "event", "api_version": "2025-10-29.clover",
            "type": event_type, "created": created or int(time.time()), "livemode": False,
            "data": {"object": obj}}
    return json.dumps(body).encode()


def signature(payload: bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    header: str = stripe.WebhookSignature.generate_signature_header(payload.decode(), secret, timestamp=at)
    return header


def deliver(api: Any, payload: bytes, *, header: str | None = None) -> Any:
    """POST the event to the webhook signed with the test secret (or with ``header``)."""
    return api.post("/api/payments/webhook", body=payload,
                    headers={"Stripe-Signature": header if header is not None else signature(payload)})
