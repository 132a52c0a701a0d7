"""The stripe_sync schedule: periods that ended with no renewal event are re-fetched or expired."""
from __future__ import annotations

import time

from tests.support.content import db_rows
from tests.support.stripe_fake import deliver, event, stripe_api, subscription, webhook_only


def _run(api, admin) -> dict:
    reply = api.post("/api/admin/tasks/stripe_sync/run", token=admin.token)
    assert reply.status == 200, reply.text
    return reply.json


def _status(user) -> str:
    return db_rows("SELECT status FROM subscriptions WHERE user_id = %s", user.id)[0][0]


def _lapsed_and_current(api, users) -> tuple:
    lapsed, current = users.create(), users.create()
    two_days_ago = int(time.time()) - 2 * 86400
    deliver(api, event("customer.subscription.updated",
                       subscription("sub_lapsed", user_id=lapsed.id, period_end=two_days_ago)))
    deliver(api, event("customer.subscription.updated", subscription("sub_current", user_id=current.id)))
    return lapsed, current


def test_the_job_is_listed_with_its_schedule(api, users):
    jobs = {j["name"]: j for j in api.get("/api/admin/tasks", token=users.admin().token).json["jobs"]}
    assert jobs["stripe_sync"]["schedule"] == "cron(20 * * * ? *)"


def test_without_a_key_unrenewed_subscriptions_expire(api, users, webhook_only):
    lapsed, current = _lapsed_and_current(api, users)
    run = _run(api, users.admin())
    assert run["outcome"] == "succeeded" and run["trigger"] == "manual"
    assert run["counts"] == {"checked": 1, "refreshed": 0, "expired": 1, "skipped": 0, "failed": 0}
    assert _status(lapsed) == "expired" and _status(current) == "active"
    assert db_rows("SELECT job, outcome FROM job_runs") == [("stripe_sync", "succeeded")]
    # A real event from Stripe still wins over the expiry.
    deliver(api, event("customer.subscription.updated", subscription("sub_lapsed", user_id=lapsed.id)))
    assert _status(lapsed) == "active"


def test_with_a_key_unrenewed_subscriptions_are_refetched(api, users, stripe_api):
    stripe_api.answer("GET", "/v1/subscriptions/sub_current", subscription("sub_current"))
    lapsed, current = users.create(), users.create()
    for user, sub_id in ((lapsed, "sub_lapsed"), (current, "sub_current")):
        stripe_api.answer("GET", f"/v1/subscriptions/{sub_id}",
                          subscription(sub_id, user_id=user.id, period_end=int(time.time()) - 2 * 86400))
        deliver(api, event("customer.subscription.updated", subscription(sub_id, user_id=user.id)))
    # Stripe did renew the first one (its renewal event was lost); the second ended.
    stripe_api.answer("GET", "/v1/subscriptions/sub_lapsed", subscription("sub_lapsed", user_id=lapsed.id))
    stripe_api.answer("GET", "/v1/subscriptions/sub_current",
                      subscription("sub_current", user_id=current.id, status="canceled"))
    stripe_api.requests.clear()
    run = _run(api, users.admin())
    assert run["counts"] == {"checked": 2, "refreshed": 2, "expired": 0, "skipped": 0, "failed": 0}
    assert sorted(r.path for r in stripe_api.requests) == ["/v1/subscriptions/sub_current",
                                                         "/v1/subscriptions/sub_lapsed"]
    assert _status(lapsed) == "active" and _status(current) == "canceled"
    assert api.get("/api/auth/me", token=lapsed.token).json["is_premium"] is True
    assert api.get("/api/auth/me", token=current.token).json["is_premium"] is False


def test_stripe_failing_for_one_subscription_leaves_it_for_the_next_run(api, users, stripe_api):
    user = users.create()
    ended = subscription("sub_1", user_id=user.id, period_end=int(time.time()) - 2 * 86400)
    stripe_api.answer("GET", "/v1/subscriptions/sub_1", ended)
    deliver(api, event("customer.subscription.updated", ended))
    stripe_api.answer("GET", "/v1/subscriptions/sub_1", lambda req: (500, {"error": {"type": "api_error"}}))
    run = _run(api, users.admin())
    assert run["counts"]["failed"] == 1 and _status(user) == "active"


def test_the_scheduled_handler_records_its_run(client, users, webhook_only, api):
    from tests.support.tasks import run_scheduled

    lapsed, _current = _lapsed_and_current(api, users)
    result = run_scheduled(client, "stripe_sync")
    assert result["outcome"] == "succeeded" and result["counts"]["expired"] == 1
    assert db_rows("SELECT trigger FROM job_runs WHERE job = 'stripe_sync'") == [("schedule",)]
    assert _status(lapsed) == "expired"
