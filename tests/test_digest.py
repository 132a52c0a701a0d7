"""Daily digest: opt-in, the daily job, and "never the same digest twice"."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.support.aws import emails_to, queue_depths
from tests.support.tasks import (
    add_post,
    invoke_worker,
    link_token,
    make_visible,
    receive,
    replace_client,
    run_scheduled,
    sql,
    verify_email,
)


@pytest.fixture
def subscriber(api, users, drain):
    """A verified account subscribed to the digest."""
    def make(email):
        account = users.create(email)
        verify_email(api, drain, email)
        assert api.post("/api/digest/subscribe", token=account.token).json["subscribed"] is True
        return account
    return make


@pytest.fixture
def recent_posts():
    add_post("fresh-free-post", hours_ago=2)
    add_post("fresh-premium-post", hours_ago=1, premium=True, content="SECRET PREMIUM BODY",
             excerpt="A public teaser.")
    add_post("old-post", hours_ago=30)
    add_post("draft-post", hours_ago=None)


def digests_to(email):
    return [m for m in emails_to(email) if "digest" in m.subject.lower()]


def test_subscribe_and_unsubscribe(api, users):
    account = users.create()
    assert api.post("/api/digest/subscribe").status == 401
    reply = api.post("/api/digest/subscribe", token=account.token)
    assert reply.status == 200, reply.text
    assert reply.json == {"subscribed": True, "email_verified": False}
    assert api.post("/api/digest/subscribe", token=account.token).json["subscribed"] is True  # idempotent
    assert api.get("/api/settings", token=account.token).json["digest_opt_in"] is True
    assert api.post("/api/digest/unsubscribe", token=account.token).json["subscribed"] is False
    assert api.post("/api/digest/unsubscribe", token=account.token).json["subscribed"] is False
    assert api.get("/api/settings", token=account.token).json["digest_opt_in"] is False
    assert api.post("/api/digest/unsubscribe").status == 401


def test_one_subscriber_cannot_touch_another(api, users):
    alice, bob = users.create(), users.create()
    api.post("/api/digest/subscribe", token=alice.token)
    api.post("/api/digest/unsubscribe", token=bob.token)
    assert api.get("/api/settings", token=alice.token).json["digest_opt_in"] is True


def test_daily_digest_sends_recent_posts_to_verified_subscribers(api, users, drain, client, subscriber,
                                                                 recent_posts):
    subscriber("alice@example.com")
    subscriber("bob@example.com")
    unverified = users.create("unverified@example.com")
    api.post("/api/digest/subscribe", token=unverified.token)
    users.create("bystander@example.com")

    result = run_scheduled(client, "daily_digest")
    assert result["outcome"] == "succeeded"
    assert result["counts"] == {"posts": 2, "subscribers": 2, "enqueued": 2}
    drain()
    for email in ("alice@example.com", "bob@example.com"):
        [mail] = digests_to(email)
        text, html = mail.part("plain"), mail.part("html")
        assert "http://localhost:3000/posts/fresh-free-post" in text
        assert "fresh-premium-post" in html and "A public teaser." in text
        assert "SECRET PREMIUM BODY" not in text + html  # excerpt only, never the body
        assert "old-post" not in text and "draft-post" not in text
        token = link_token(text, "http://localhost:3000/digest/unsubscribe")
        assert mail.message["List-Unsubscribe"] == (
            f"<http://127.0.0.1:8000/api/digest/unsubscribe/one-click?token={token}>")
        assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digests_to("unverified@example.com") == [] and digests_to("bystander@example.com") == []
    [run] = sql("SELECT outcome, counts, finished_at FROM job_runs WHERE job = 'daily_digest'")
    assert run["outcome"] == "succeeded" and run["finished_at"] is not None


def test_digest_run_twice_sends_no_subscriber_two(api, drain, client, subscriber, recent_posts):
    subscriber("alice@example.com")
    subscriber("bob@example.com")
    # Two runs before the worker gets to them: two tasks per subscriber in the queue.
    run_scheduled(client, "daily_digest")
    run_scheduled(client, "daily_digest")
    assert queue_depths()["blog-tasks"] == 4
    drain()
    # Re-run after delivery, by schedule and by an admin: nothing new is even queued.
    assert run_scheduled(client, "daily_digest")["counts"]["enqueued"] == 0
    drain()
    for email in ("alice@example.com", "bob@example.com"):
        assert len(digests_to(email)) == 1
    assert sql("SELECT count(*) AS n FROM digest_deliveries")[0]["n"] == 2


def test_manual_run_the_same_day_sends_nothing_twice(api, users, drain, client, subscriber, recent_posts):
    subscriber("alice@example.com")
    admin = users.admin()
    run_scheduled(client, "daily_digest")
    drain()
    reply = api.post("/api/admin/tasks/daily_digest/run", token=admin.token)
    assert reply.status == 200, reply.text
    drain()
    assert len(digests_to("alice@example.com")) == 1


def test_next_day_sends_a_new_digest(drain, client, subscriber, recent_posts):
    subscriber("alice@example.com")
    now = datetime.now(timezone.utc)
    run_scheduled(client, "daily_digest", now)
    drain()
    add_post("tomorrows-post", hours_ago=-20)  # published 20 hours from now
    run_scheduled(client, "daily_digest", now + timedelta(days=1))
    drain()
    first, second = digests_to("alice@example.com")
    assert "tomorrows-post" in second.part("plain") and "fresh-free-post" not in second.part("plain")


def test_no_recent_posts_sends_nothing(drain, client, subscriber):
    subscriber("alice@example.com")
    add_post("old-post", hours_ago=48)
    assert run_scheduled(client, "daily_digest")["counts"] == {"posts": 0, "subscribers": 0, "enqueued": 0}
    drain()
    assert digests_to("alice@example.com") == []


def test_one_click_unsubscribe_from_the_email(api, drain, client, subscriber, recent_posts):
    alice = subscriber("alice@example.com")
    run_scheduled(client, "daily_digest")
    drain()
    token = link_token(digests_to("alice@example.com")[0].part("plain"), "/digest/unsubscribe")
    reply = api.request("POST", f"/api/digest/unsubscribe/one-click?token={token}",
                        body="List-Unsubscribe=One-Click",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 200, reply.text
    assert api.get("/api/settings", token=alice.token).json["digest_opt_in"] is False
    assert api.post(f"/api/digest/unsubscribe/one-click?token={token}").status == 400


def test_unsubscribed_before_delivery_gets_nothing(api, drain, client, subscriber, recent_posts):
    alice = subscriber("alice@example.com")
    run_scheduled(client, "daily_digest")
    api.post("/api/digest/unsubscribe", token=alice.token)
    drain()
    assert digests_to("alice@example.com") == []


def test_a_rejected_recipient_does_not_stop_the_rest(monkeypatch, drain, client, subscriber, recent_posts):
    subscriber("alice@example.com")
    subscriber("bounce@example.com")
    subscriber("carol@example.com")
    from botocore.exceptions import ClientError

    from layers.core import aws

    real_ses = aws.client("ses")

    def send_raw_email(**kwargs):
        if b"To: bounce@example.com" in kwargs["RawMessage"]["Data"]:
            raise ClientError({"Error": {"Code": "MessageRejected", "Message": "Address blacklisted."}},
                              "SendRawEmail")
        return real_ses.send_raw_email(**kwargs)

    replace_client(monkeypatch, "ses", send_raw_email=send_raw_email)
    run_scheduled(client, "daily_digest")
    drain()
    assert len(digests_to("alice@example.com")) == 1 and len(digests_to("carol@example.com")) == 1
    assert digests_to("bounce@example.com") == []
    # A permanent refusal is not retried into the dead-letter queue.
    assert queue_depths() == {"blog-tasks": 0, "blog-tasks-dlq": 0}


def test_a_transient_ses_failure_is_retried(monkeypatch, app, drain, client, subscriber, recent_posts):
    subscriber("alice@example.com")
    from botocore.exceptions import ClientError

    def throttled(**_kwargs):
        raise ClientError({"Error": {"Code": "Throttling", "Message": "Maximum sending rate exceeded."}},
                          "SendRawEmail")

    fake = replace_client(monkeypatch, "ses", send_raw_email=throttled)
    run_scheduled(client, "daily_digest")
    messages = receive()
    assert invoke_worker(app, messages) == {m["MessageId"] for m in messages}
    assert sql("SELECT count(*) AS n FROM digest_deliveries")[0]["n"] == 0  # rolled back with the failure
    assert receive() == []  # backed off, not retried at once
    fake.restore()  # SES recovers
    make_visible(messages)
    drain()
    assert len(digests_to("alice@example.com")) == 1
