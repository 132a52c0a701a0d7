"""The Stripe webhook: signatures, exactly-once, any delivery order, re-fetch with a key, emails."""
from __future__ import annotations

import itertools
import json
import time

import pytest

from tests.support.aws import emails_to
from tests.support.content import content, db_rows
from tests.support.stripe_fake import (
    WEBHOOK_SECRET,
    checkout_session,
    deliver,
    event,
    invoice,
    signature,
    stripe_api,
    subscription,
    webhook_only,
)


def _me(api, user) -> dict:
    reply = api.get("/api/payments/subscription", token=user.token)
    assert reply.status == 200, reply.text
    return reply.json


def _premium(api, user) -> bool:
    flag = api.get("/api/auth/me", token=user.token).json["is_premium"]
    assert flag == _me(api, user)["is_premium"]  # one definition behind both views
    return bool(flag)


# ---- signatures --------------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["missing", "forged", "other secret", "stale", "body changed"])
def test_a_bad_signature_is_400_and_applies_nothing(api, users, webhook_only, case):
    user = users.create()
    payload = event("customer.subscription.created", subscription("sub_1", user_id=user.id))
    headers = {
        "missing": {},
        "forged": {"Stripe-Signature": f"t={int(time.time())},v1={'0' * 64}"},
        "other secret": {"Stripe-Signature": signature(payload, secret="whsec_someone_else")},
        "stale": {"Stripe-Signature": signature(payload, at=int(time.time()) - 301)},
        "body changed": {"Stripe-Signature": signature(payload.replace(b"active", b"canceled"))},
    }[case]
    reply = api.post("/api/payments/webhook", body=payload, headers=headers)
    assert reply.status == 400, reply.text
    assert isinstance(reply.json["detail"], str)
    assert db_rows("SELECT count(*) FROM stripe_events") == [(0,)]
    assert not _premium(api, user)


def test_a_signature_within_the_tolerance_is_accepted(api, users, webhook_only):
    user = users.create()
    payload = event("customer.subscription.created", subscription("sub_1", user_id=user.id))
    assert deliver(api, payload, header=signature(payload, at=int(time.time()) - 240)).status == 200


def test_the_provider_built_from_settings_verifies_without_a_secret_key(api, users, settings_env):
    from layers import bootstrap
    from layers.adapters.stripe_payments import from_settings

    user = users.create()
    payload = event("customer.subscription.created", subscription("sub_1", user_id=user.id))
    settings_env(STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    with bootstrap.override(payments=from_settings()):
        assert deliver(api, payload).json["outcome"] == "applied"
    assert _premium(api, user)


def test_without_a_webhook_secret_events_are_refused_with_503(api, users):
    from layers import bootstrap
    from layers.adapters.stripe_payments import StripePayments

    # Our misconfiguration, not the sender's: a 5xx, so Stripe keeps retrying until it is fixed.
    payload = event("customer.subscription.created", subscription("sub_1", user_id=users.create().id))
    with bootstrap.override(payments=StripePayments(None, None)):
        reply = deliver(api, payload)
    assert reply.status == 503 and "STRIPE_WEBHOOK_SECRET" in reply.json["detail"]
    assert db_rows("SELECT count(*) FROM stripe_events") == [(0,)]


def test_unknown_event_types_answer_200(api, webhook_only):
    reply = deliver(api, event("customer.created", {"id": "cus_1", "object": "customer"}))
    assert reply.status == 200 and reply.json == {"received": True, "outcome": "ignored"}


def test_a_signed_body_that_is_not_an_event_is_400(api, webhook_only):
    for body in (b"[]", b'{"id": "evt_1"}', b'{"id": "evt_1", "type": "invoice.paid", "created": 1}'):
        assert deliver(api, body).status == 400


# ---- premium follows Stripe, on the next request -----------------------------------------------

def test_becoming_premium_opens_a_premium_post_search_snippets_and_not_the_public_feed(api, users, content,
                                                                                         webhook_only):
    post = content.post("Advanced indexing", content="Opening words.\n\n## Deep\n\nThe zanzibar technique.",
                        excerpt="A teaser.", is_premium=True)
    user = users.create()  # signed in before paying: the same token sees the change
    assert api.get(f"/api/posts/{post['slug']}", token=user.token).json["locked"] is True
    deliver(api, event("customer.subscription.created", subscription("sub_1", user_id=user.id)))
    assert _premium(api, user)
    opened = api.get(f"/api/posts/{post['slug']}", token=user.token).json
    assert opened["locked"] is False and "zanzibar" in opened["content"]
    hit = api.get("/api/search?q=zanzibar", token=user.token).json["items"][0]
    assert hit["locked"] is False and "<mark>zanzibar</mark>" in hit["snippet"]
    # The feed is public and cached: it quotes only excerpts, whoever asks.
    assert "zanzibar" not in api.get("/api/feed?format=rss", token=user.token).text
    deliver(api, event("customer.subscription.deleted", subscription("sub_1", user_id=user.id, status="canceled")))
    assert not _premium(api, user)
    assert api.get(f"/api/posts/{post['slug']}", token=user.token).json["locked"] is True


def test_past_due_keeps_access_for_seven_days_from_the_first_failure(api, users, webhook_only):
    recent, lapsed = users.create(), users.create()
    deliver(api, event("customer.subscription.updated", subscription("sub_r", user_id=recent.id, status="past_due")))
    eight_days_ago = int(time.time()) - 8 * 86400
    deliver(api, event("customer.subscription.updated", subscription("sub_l", user_id=lapsed.id, status="past_due"),
                       created=eight_days_ago))
    assert _premium(api, recent) and not _premium(api, lapsed)
    assert _me(api, lapsed)["status"] == "past_due"


def test_unpaid_incomplete_and_ended_periods_are_not_premium(api, users, webhook_only):
    for status, period_end in (("unpaid", None), ("incomplete", None), ("active", int(time.time()) - 2 * 86400)):
        user = users.create()
        deliver(api, event("customer.subscription.updated",
                           subscription(f"sub_{status}", user_id=user.id, status=status, period_end=period_end)))
        assert not _premium(api, user), status


# ---- exactly once ------------------------------------------------------------------------------

def test_a_redelivered_event_does_nothing(api, users, webhook_only, drain):
    user = users.create()
    payload = event("invoice.payment_failed", invoice("in_1", "sub_1", user_id=user.id))
    assert deliver(api, payload).json["outcome"] == "applied"
    assert deliver(api, payload).json["outcome"] == "duplicate"
    assert db_rows("SELECT count(*) FROM stripe_events") == [(1,)]
    assert db_rows("SELECT count(*) FROM task_outbox WHERE task_type = 'send_payment_failed_email'") == [(1,)]
    drain()
    [mail] = [m for m in emails_to(user.email) if m.subject == "Your subscription payment failed"]
    assert "9.00 USD" in mail.part("plain") and "https://invoice.stripe.com/i/in_1" in mail.part("plain")


def test_a_paid_invoice_is_recorded_once(api, users, webhook_only):
    user = users.create()
    deliver(api, event("customer.subscription.created", subscription("sub_1", user_id=user.id)))
    for _ in range(2):
        deliver(api, event("invoice.paid", invoice("in_1", "sub_1")))  # two events about one invoice
    assert db_rows("SELECT user_id, stripe_invoice_id, status, plan, amount_cents, currency FROM payments") == [
        (user.id, "in_1", "paid", "monthly", 900, "usd")]


def test_the_same_event_delivered_twice_at_once_takes_effect_once(api, users, webhook_only, stack):
    import threading

    import psycopg

    user = users.create()
    payload = event("invoice.payment_failed", invoice("in_1", "sub_1", user_id=user.id))
    event_id = json.loads(payload)["id"]
    replies: list = []
    with psycopg.connect(stack["DATABASE_URL"]) as holder:
        # Hold the event's key so both deliveries are inside their transactions, waiting on it.
        holder.execute("INSERT INTO stripe_events (id, type, created) VALUES (%s, 'x', now())", (event_id,))
        threads = [threading.Thread(target=lambda: replies.append(deliver(api, payload))) for _ in range(2)]
        for thread in threads:
            thread.start()
        _wait_for_blocked_inserts(stack["DATABASE_URL"], 2)
        holder.rollback()
        for thread in threads:
            thread.join(timeout=60)
    assert sorted(r.json["outcome"] for r in replies) == ["applied", "duplicate"]
    assert db_rows("SELECT count(*) FROM task_outbox WHERE task_type = 'send_payment_failed_email'") == [(1,)]


def _wait_for_blocked_inserts(url: str, count: int) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for _ in range(600):
            waiting = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                   " AND query LIKE 'INSERT INTO stripe_events%%'").fetchone()[0]
            if waiting >= count:
                return
            time.sleep(0.05)
    raise AssertionError("the deliveries never reached the event insert")


# ---- any order ---------------------------------------------------------------------------------

LIFECYCLE = [("customer.subscription.created", "active", False),
             ("customer.subscription.updated", "active", True),
             ("customer.subscription.deleted", "canceled", False)]


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_create_update_cancel_in_any_order_ends_cancelled(api, users, webhook_only, order):
    user = users.create()
    base = int(time.time()) - 100
    events = [event(kind, subscription("sub_1", user_id=user.id, status=status, cancel_at_period_end=cancel),
                    created=base + i * 10) for i, (kind, status, cancel) in enumerate(LIFECYCLE)]
    outcomes = [deliver(api, events[i]).status for i in order]
    assert outcomes == [200, 200, 200]
    assert _me(api, user)["status"] == "canceled" and not _premium(api, user)


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_an_older_event_never_overwrites_a_newer_state(api, users, webhook_only, order):
    user = users.create()
    now = int(time.time())
    events = [event("customer.subscription.updated", subscription("sub_1", user_id=user.id, cancel_at_period_end=True),
                    created=now - 50),
              event("customer.subscription.updated", subscription("sub_1", user_id=user.id), created=now)]
    for i in order:
        deliver(api, events[i])
    assert _me(api, user)["cancel_at_period_end"] is False


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_same_second_events_never_move_a_subscription_back(api, users, webhook_only, order):
    user = users.create()
    now = int(time.time())
    events = [event("customer.subscription.created", subscription("sub_1", user_id=user.id, status="incomplete"),
                    created=now),
              event("customer.subscription.updated", subscription("sub_1", user_id=user.id), created=now)]
    for i in order:
        deliver(api, events[i])
    assert _me(api, user)["status"] == "active"


def test_cancelling_an_old_subscription_keeps_the_new_one(api, users, webhook_only):
    user = users.create()
    now = int(time.time())
    deliver(api, event("customer.subscription.created", subscription("sub_new", user_id=user.id), created=now - 10))
    deliver(api, event("customer.subscription.deleted", subscription("sub_old", user_id=user.id, status="canceled"),
                       created=now))
    assert _premium(api, user)


def test_the_customer_recorded_at_checkout_finds_the_user(api, users, webhook_only):
    user = users.create()
    deliver(api, event("checkout.session.completed", checkout_session(user.id, customer="cus_7", sub_id="sub_7")))
    assert _me(api, user)["status"] == "incomplete" and not _premium(api, user)
    # No metadata on this subscription (created outside our checkout): found by its customer.
    deliver(api, event("customer.subscription.created", subscription("sub_7", customer="cus_7")))
    assert _premium(api, user)


def test_an_event_for_a_stranger_is_acknowledged_and_ignored(api, webhook_only):
    reply = deliver(api, event("customer.subscription.created", subscription("sub_x", customer="cus_unknown")))
    assert reply.status == 200 and reply.json["outcome"] == "ignored"
    assert db_rows("SELECT count(*) FROM subscriptions") == [(0,)]


# ---- with a key: Stripe's current state wins ---------------------------------------------------

def test_with_a_key_the_subscription_is_refetched_and_applied(api, users, stripe_api):
    user = users.create()
    stripe_api.answer("GET", "/v1/subscriptions/sub_1", subscription("sub_1", user_id=user.id, status="canceled"))
    # The event says active, but it is stale: Stripe now says canceled.
    deliver(api, event("customer.subscription.updated", subscription("sub_1", user_id=user.id)))
    assert _me(api, user)["status"] == "canceled"
    assert len(stripe_api.sent("GET", "/v1/subscriptions/sub_1")) == 1
    stripe_api.answer("GET", "/v1/subscriptions/sub_1", subscription("sub_1", user_id=user.id))
    deliver(api, event("invoice.paid", invoice("in_2", "sub_1"), created=int(time.time()) - 3600))
    assert _premium(api, user)


def test_checkout_completed_with_a_key_applies_the_fetched_subscription(api, users, stripe_api):
    user = users.create()
    stripe_api.answer("GET", "/v1/subscriptions/sub_5", subscription("sub_5", customer="cus_5", status="trialing"))
    deliver(api, event("checkout.session.completed", checkout_session(user.id, customer="cus_5", sub_id="sub_5")))
    assert _me(api, user)["status"] == "trialing" and _premium(api, user)


def test_a_failure_while_applying_is_5xx_and_the_retry_applies(api, users, stripe_api):
    user = users.create()
    stripe_api.answer("GET", "/v1/subscriptions/sub_1",
                      lambda req: (500, {"error": {"type": "api_error", "message": "down"}}))
    payload = event("customer.subscription.created", subscription("sub_1", user_id=user.id))
    assert deliver(api, payload).status >= 500
    assert db_rows("SELECT count(*) FROM stripe_events") == [(0,)] and not _premium(api, user)
    stripe_api.answer("GET", "/v1/subscriptions/sub_1", subscription("sub_1", user_id=user.id))
    assert deliver(api, payload).json["outcome"] == "applied" and _premium(api, user)
