"""Correctly signed but malformed Stripe bodies never answer 5xx and never write half an event.

Decisions (``layers.services.payments.webhook``): a body without a readable envelope (``created``,
``data.object``, storable ``id``/``type``) is refused with 400 naming the field, nothing written;
a handled type whose object cannot be read is acknowledged with 200 ``ignored``, nothing written.

The property tests sign random JSON values and mutated real-shaped events (keys dropped, values
replaced with other types, huge/negative/float/non-finite timestamps, nulls, unicode, nested
garbage, unknown types) for every event type the service handles, then check that a valid event
still applies. Examples are derandomized, so a run is repeatable and bounded.
"""
from __future__ import annotations

import copy
import json
import os
import time
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.stripe_fake import (
    checkout_session,
    deliver,
    event,
    invoice,
    stripe_api,
    subscription,
    webhook_only,
)

PROPERTY = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
NOW = int(time.time())

ODD_TEXT = st.sampled_from(["", "\x00", "\ud800", "évènement", "日本語", "🙂" * 50, "x" * 300, "1e309",
                            "NaN", "sub_" + "9" * 40, "'; DROP TABLE users; --"])
ODD_NUMBER = st.sampled_from([0, -1, -NOW, 1.5, NOW + 0.5, 10**12, 10**20, 2**63, -(2**63), 10**400,
                              float("nan"), float("inf"), -float("inf"), True, False])
SCALAR = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20) | ODD_TEXT \
    | ODD_NUMBER
JSON = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8) | st.sampled_from(["id", "data", "object", "created"]),
                                      inner, max_size=4), max_leaves=12)

HANDLED = ["customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
           "checkout.session.completed", "invoice.paid", "invoice.payment_failed"]


def _real(kind: str, user_id: int, n: int) -> dict[str, Any]:
    if kind.startswith("customer.subscription"):
        obj = subscription(f"sub_{n}", user_id=user_id, status="canceled" if kind.endswith("deleted") else "active")
    elif kind.startswith("invoice"):
        obj = invoice(f"in_{n}", f"sub_{n}", user_id=user_id)
    else:
        obj = checkout_session(user_id, sub_id=f"sub_{n}")
    return json.loads(event(kind, obj))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path inside ``value`` (dict keys and list indexes)."""
    out: list[tuple[Any, ...]] = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in items:
        out.append((*prefix, key))
        out.extend(_paths(child, (*prefix, key)))
    return out


def _mutate(body: dict[str, Any], data: Any) -> dict[str, Any]:
    body = copy.deepcopy(body)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        paths = _paths(body)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths), label="path")
        parent = body
        for key in path[:-1]:
            parent = parent[key]
        if data.draw(st.booleans(), label="drop") and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(JSON, label="value")
    return body


def _signed(api: Any, body: Any) -> Any:
    # allow_nan: Python's json (Stripe's SDK and ours) reads NaN and Infinity, so they can arrive.
    return deliver(api, json.dumps(body, allow_nan=True).encode())


class Writes:
    """What the webhook may have written, read on one connection (cheap per example)."""

    def __init__(self) -> None:
        self._conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)

    def snapshot(self) -> tuple[Any, ...]:
        row = self._conn.execute(
            "SELECT (SELECT count(*) FROM stripe_events),"
            " (SELECT coalesce(string_agg(s::text, '|' ORDER BY user_id), '') FROM subscriptions s),"
            " (SELECT count(*) FROM payments), (SELECT count(*) FROM task_outbox)").fetchone()
        assert row is not None
        return tuple(row)

    def close(self) -> None:
        self._conn.close()


@pytest.fixture
def writes() -> Any:
    w = Writes()
    yield w
    w.close()


def _check(reply: Any, before: tuple[Any, ...], after: tuple[Any, ...]) -> None:
    assert reply.status < 500, reply.text
    if reply.status >= 400:
        assert isinstance(reply.json["detail"], str | list), reply.text
        assert after == before, "a refused event wrote something"
    else:
        assert reply.status == 200 and reply.json["outcome"] in ("applied", "duplicate", "ignored"), reply.text
        if reply.json["outcome"] != "applied":
            assert after[1:] == before[1:], "an event not applied changed subscriptions, payments or tasks"


def _valid_event_still_applies(api: Any, user_id: int, token: str) -> None:
    reply = deliver(api, event("customer.subscription.created", subscription("sub_final", user_id=user_id),
                               created=int(time.time()) + 3500))  # newer than any garbage accepted
    assert reply.status == 200 and reply.json["outcome"] == "applied", reply.text
    assert api.get("/api/auth/me", token=token).json["is_premium"] is True


# ---- property tests ---------------------------------------------------------------------------

def test_signed_random_json_never_answers_5xx(api, users, webhook_only, writes):
    user = users.create()

    @PROPERTY
    @given(body=JSON | st.dictionaries(st.sampled_from(["id", "type", "created", "data", "object"]), JSON))
    def check(body: Any) -> None:
        before = writes.snapshot()
        reply = _signed(api, body)
        _check(reply, before, writes.snapshot())

    check()
    _valid_event_still_applies(api, user.id, user.token)


def test_signed_mutated_events_of_every_handled_type_never_answer_5xx(api, users, webhook_only, writes):
    user = users.create()
    counter = iter(range(10**6))

    @PROPERTY
    @given(kind=st.sampled_from([*HANDLED, "customer.created", "invoice.upcoming"]), data=st.data())
    def check(kind: str, data: Any) -> None:
        body = _mutate(_real(kind if kind in HANDLED else HANDLED[0], user.id, next(counter)), data)
        if kind not in HANDLED and isinstance(body, dict):
            body["type"] = kind
        before = writes.snapshot()
        reply = _signed(api, body)
        _check(reply, before, writes.snapshot())

    check()
    _valid_event_still_applies(api, user.id, user.token)


# ---- the cases the issue found, and each decision ----------------------------------------------

def test_a_subscription_update_without_an_id_is_acknowledged_as_ignored_and_writes_nothing(api, users,
                                                                                            webhook_only, writes):
    user = users.create()
    obj = subscription("sub_1", user_id=user.id)
    del obj["id"]
    before = writes.snapshot()
    reply = deliver(api, event("customer.subscription.updated", obj))
    assert reply.status == 200 and reply.json == {"received": True, "outcome": "ignored"}
    assert writes.snapshot() == before  # not even the event id: a redelivery after a fix applies it
    assert api.get("/api/auth/me", token=user.token).json["is_premium"] is False


@pytest.mark.parametrize("created", [10**12, 10**20, NOW + 2 * 3600])
def test_an_event_created_in_the_future_is_refused_with_400(api, users, webhook_only, writes, created):
    user = users.create()
    before = writes.snapshot()
    reply = deliver(api, event("customer.subscription.created", subscription("sub_1", user_id=user.id),
                               created=created))
    assert reply.status == 400 and "created" in reply.json["detail"], reply.text
    assert writes.snapshot() == before
    # A state dated in the future would have outranked every real event of this subscription.
    _valid_event_still_applies(api, user.id, user.token)


@pytest.mark.parametrize("body", [
    b'{"id": "evt_1", "type": "invoice.paid", "created": NaN, "data": {"object": {}}}',
    b'{"id": "evt_1", "type": "invoice.paid", "created": -5, "data": {"object": {}}}',
    b'{"id": "evt_1", "type": "invoice.paid", "created": true, "data": {"object": {}}}',
    b'{"id": "evt_1", "type": "invoice.paid", "created": 1700000000, "data": [1]}',
    b'{"id": "evt_\\u0000", "type": "invoice.paid", "created": 1700000000, "data": {"object": {}}}',
    b'{"id": "evt_\\ud800", "type": "customer.created", "created": 1700000000, "data": {"object": {}}}',
    b'{"id": "evt_1", "type": "x", "created": 1, "data": {"object": {}}, "deep": ' + b"[" * 100_000 + b"]" * 100_000
    + b"}",
], ids=["nan created", "negative created", "boolean created", "data not an object", "nul in id",
        "lone surrogate in id", "nested too deep"])
def test_a_signed_body_without_a_readable_envelope_is_400_naming_the_problem(api, webhook_only, writes, body):
    before = writes.snapshot()
    reply = deliver(api, body)
    assert reply.status == 400, reply.text
    assert isinstance(reply.json["detail"], str) and reply.json["detail"]
    assert writes.snapshot() == before


@pytest.mark.parametrize("kind, field, value", [
    ("invoice.paid", "amount_paid", "900"),
    ("invoice.payment_failed", "amount_due", {"value": 900}),
    ("invoice.payment_failed", "hosted_invoice_url", 42),
    ("invoice.paid", "lines", [1, 2]),
    ("customer.subscription.updated", "items", "si_1"),
    ("customer.subscription.updated", "status", ["active"]),
    ("checkout.session.completed", "customer", {"id": 7}),
])
def test_a_handled_type_with_an_unreadable_field_is_ignored_and_writes_nothing(api, users, webhook_only, writes,
                                                                                 kind, field, value):
    user = users.create()
    body = _real(kind, user.id, 1)
    body["data"]["object"][field] = value
    deliver(api, event("customer.subscription.created", subscription("sub_0", user_id=user.id), created=NOW - 60))
    before = writes.snapshot()
    reply = _signed(api, body)
    assert reply.status == 200 and reply.json["outcome"] == "ignored", reply.text
    assert writes.snapshot() == before


def test_with_a_key_an_event_about_a_subscription_stripe_does_not_know_is_ignored(api, users, stripe_api, writes):
    user = users.create()
    # No answer registered: the fake Stripe API answers 404 resource_missing, as Stripe does.
    reply = deliver(api, event("customer.subscription.updated", subscription("sub_nowhere", user_id=user.id)))
    assert reply.status == 200 and reply.json["outcome"] == "ignored", reply.text
    assert len(stripe_api.sent("GET", "/v1/subscriptions/sub_nowhere")) == 1
    assert writes.snapshot()[1] == ""  # no subscription recorded
    assert api.get("/api/auth/me", token=user.token).json["is_premium"] is False
