"""Payments: plans, Checkout and the portal through the real SDK with an in-process HTTP client."""
from __future__ import annotations

from tests.support.content import db_rows
from tests.support.stripe_fake import (
    checkout_session,
    deliver,
    event,
    stripe_api,
    subscription,
    webhook_only,
)

SESSION = {"id": "cs_test_1", "object": "checkout.session", "url": "https://checkout.stripe.com/c/pay/cs_test_1"}
PORTAL = {"id": "bps_1", "object": "billing_portal.session", "url": "https://billing.stripe.com/p/session/bps_1"}


def test_plans_are_public_and_come_from_configuration(api, settings_env):
    reply = api.get("/api/payments/plans")
    assert reply.status == 200
    assert [(p["name"], p["interval"]) for p in reply.json] == [("monthly", "month"), ("yearly", "year")]
    assert reply.json[0] == {"name": "monthly", "price_id": "price_monthly_placeholder", "amount": 900,
                             "currency": "usd", "interval": "month"}
    settings_env(STRIPE_PLANS='[{"name": "pro", "price_id": "price_pro", "amount": 1500, "currency": "eur",'
                              ' "interval": "month"}]')
    assert [p["name"] for p in api.get("/api/payments/plans").json] == ["pro"]


def test_checkout_without_a_secret_key_is_503_with_a_clear_detail(api, users, webhook_only):
    user = users.create()
    reply = api.post("/api/payments/checkout", {"plan": "monthly"}, token=user.token)
    assert reply.status == 503
    assert "STRIPE_SECRET_KEY" in reply.json["detail"]


def test_checkout_refuses_unknown_plans_and_anonymous_callers(api, users, stripe_api):
    user = users.create()
    reply = api.post("/api/payments/checkout", {"plan": "lifetime"}, token=user.token)
    assert reply.status == 422
    assert reply.json["detail"][0]["loc"] == ["body", "plan"] and "monthly" in reply.json["detail"][0]["msg"]
    assert api.post("/api/payments/checkout", {"plan": "monthly"}).status == 401
    assert api.post("/api/payments/checkout", {"plan": "monthly", "x": 1}, token=user.token).status == 422
    assert stripe_api.requests == []


def test_checkout_opens_a_subscription_session_for_the_user(api, users, stripe_api):
    stripe_api.answer("POST", "/v1/checkout/sessions", SESSION)
    user = users.create()
    reply = api.post("/api/payments/checkout", {"plan": "yearly"}, token=user.token)
    assert reply.status == 200, reply.text
    assert reply.json == {"checkout_url": SESSION["url"]}
    [sent] = stripe_api.sent("POST", "/v1/checkout/sessions")
    assert sent.form["mode"] == "subscription"
    assert sent.form["line_items[0][price]"] == "price_yearly_placeholder"
    assert sent.form["line_items[0][quantity]"] == "1"
    assert sent.form["client_reference_id"] == str(user.id)
    assert sent.form["metadata[user_id]"] == str(user.id)
    assert sent.form["subscription_data[metadata][user_id]"] == str(user.id)
    assert sent.form["customer_email"] == user.email and "customer" not in sent.form
    assert sent.form["success_url"].startswith("http://localhost:3000/")
    assert sent.form["cancel_url"].startswith("http://localhost:3000/")
    assert sent.headers["Authorization"] == "Bearer sk_test_fake_key_for_the_in_process_client"
    assert sent.headers["Idempotency-Key"]


def test_a_double_click_sends_the_same_idempotency_key(api, users, stripe_api):
    from datetime import datetime, timezone

    from layers import bootstrap
    from layers.adapters.clock import FixedClock

    stripe_api.answer("POST", "/v1/checkout/sessions", SESSION)
    user, other = users.create(), users.create()
    clock = FixedClock(datetime(2026, 5, 1, 12, 0, 30, tzinfo=timezone.utc))
    with bootstrap.override(clock=clock):
        for account in (user, user, other):
            assert api.post("/api/payments/checkout", {"plan": "monthly"}, token=account.token).status == 200
        clock.advance(minutes=10)  # a new attempt later opens a new session
        assert api.post("/api/payments/checkout", {"plan": "monthly"}, token=user.token).status == 200
    keys = [r.headers["Idempotency-Key"] for r in stripe_api.sent("POST", "/v1/checkout/sessions")]
    assert keys[0] == keys[1] and len(set(keys)) == 3


def test_checkout_reuses_the_recorded_customer(api, users, stripe_api):
    stripe_api.answer("POST", "/v1/checkout/sessions", SESSION)
    stripe_api.answer("GET", "/v1/subscriptions/sub_9", subscription("sub_9", status="canceled", customer="cus_9"))
    user = users.create()
    reply = deliver(api, event("checkout.session.completed", checkout_session(user.id, customer="cus_9", sub_id="sub_9")))
    assert reply.status == 200, reply.text
    assert api.post("/api/payments/checkout", {"plan": "monthly"}, token=user.token).status == 200
    [sent] = stripe_api.sent("POST", "/v1/checkout/sessions")
    assert sent.form["customer"] == "cus_9" and "customer_email" not in sent.form


def test_a_subscriber_cannot_open_a_second_subscription(api, users, stripe_api):
    user = users.create()
    stripe_api.answer("GET", "/v1/subscriptions/sub_1", subscription("sub_1", user_id=user.id))
    assert deliver(api, event("customer.subscription.created", subscription("sub_1", user_id=user.id))).status == 200
    reply = api.post("/api/payments/checkout", {"plan": "monthly"}, token=user.token)
    assert reply.status == 409 and "portal" in reply.json["detail"]
    assert stripe_api.sent("POST", "/v1/checkout/sessions") == []


def test_subscription_before_any_is_a_clear_empty_state(api, users):
    user = users.create()
    reply = api.get("/api/payments/subscription", token=user.token)
    assert reply.status == 200
    assert reply.json == {"status": "none", "plan": None, "current_period_end": None,
                          "cancel_at_period_end": False, "is_premium": False}
    assert api.get("/api/payments/subscription").status == 401


def test_subscription_shows_the_state_stripe_sent(api, users, webhook_only):
    user = users.create()
    sub = subscription("sub_2", user_id=user.id, period_end=1_900_000_000, cancel_at_period_end=True,
                       price="price_yearly_placeholder")
    assert deliver(api, event("customer.subscription.updated", sub)).json["outcome"] == "applied"
    assert api.get("/api/payments/subscription", token=user.token).json == {
        "status": "active", "plan": "yearly", "current_period_end": "2030-03-17T17:46:40Z",
        "cancel_at_period_end": True, "is_premium": True}


def test_portal_needs_a_key_then_a_customer(api, users, webhook_only):
    user = users.create()
    reply = api.post("/api/payments/portal", token=user.token)
    assert reply.status == 503 and "STRIPE_SECRET_KEY" in reply.json["detail"]


def test_portal_without_a_customer_is_404(api, users, stripe_api):
    user = users.create()
    reply = api.post("/api/payments/portal", token=user.token)
    assert reply.status == 404 and "subscribe" in reply.json["detail"]
    assert stripe_api.requests == []


def test_portal_session_for_the_recorded_customer(api, users, stripe_api):
    stripe_api.answer("POST", "/v1/billing_portal/sessions", PORTAL)
    stripe_api.answer("GET", "/v1/subscriptions/sub_3", subscription("sub_3", customer="cus_3"))
    user = users.create()
    assert deliver(api, event("checkout.session.completed",
                              checkout_session(user.id, customer="cus_3", sub_id="sub_3"))).status == 200
    reply = api.post("/api/payments/portal", token=user.token)
    assert reply.status == 200, reply.text
    assert reply.json == {"portal_url": PORTAL["url"]}
    [sent] = stripe_api.sent("POST", "/v1/billing_portal/sessions")
    assert sent.form == {"customer": "cus_3", "return_url": "http://localhost:3000/account"}


def test_stripe_failing_is_503_without_its_details(api, users, stripe_api):
    stripe_api.answer("POST", "/v1/checkout/sessions",
                      lambda req: (500, {"error": {"type": "api_error", "message": "secret internal detail"}}))
    user = users.create()
    reply = api.post("/api/payments/checkout", {"plan": "monthly"}, token=user.token)
    assert reply.status == 503 and "secret internal detail" not in reply.text
    assert db_rows("SELECT count(*) FROM subscriptions") == [(0,)]


def test_email_amounts_respect_zero_decimal_currencies():
    from layers.tasks.handlers.payments import format_amount

    assert format_amount(900, "usd") == "9.00 USD"
    assert format_amount(900, "JPY") == "900 JPY"
