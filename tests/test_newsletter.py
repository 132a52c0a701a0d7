"""Newsletter: double opt-in by emailed token, unsubscribe by token, nothing revealed."""
from __future__ import annotations

import hashlib

import pytest

from tests.support.aws import emails_to, queue_depths
from tests.support.tasks import link_token, sql

ADDRESS = "reader@example.com"


def subscribe(api, email=ADDRESS):
    reply = api.post("/api/newsletter/subscribe", {"email": email})
    assert reply.status == 202, reply.text
    return reply


def confirmation_tokens(email=ADDRESS):
    return [link_token(m.part("plain"), "/newsletter/confirm") for m in emails_to(email)]


def unsubscribe_token(email=ADDRESS):
    return link_token(emails_to(email)[-1].part("plain"), "/newsletter/unsubscribe")


def status_of(email=ADDRESS):
    return sql("SELECT status FROM newsletter_subscriptions WHERE email = %s", (email,))[0]["status"]


def test_subscribe_emails_a_confirmation_link_with_unsubscribe_headers(api, drain):
    subscribe(api)
    assert status_of() == "pending"
    drain()
    [mail] = emails_to(ADDRESS)
    assert "confirm" in mail.subject.lower()
    text, html = mail.part("plain"), mail.part("html")
    token = link_token(text, "http://localhost:3000/newsletter/confirm")
    assert f"token={token}" in html
    unsubscribe = link_token(text, "http://localhost:3000/newsletter/unsubscribe")
    assert mail.message["List-Unsubscribe"] == (
        f"<http://127.0.0.1:8000/api/newsletter/unsubscribe/one-click?token={unsubscribe}>")
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Only the token's SHA-256 is stored.
    stored = sql("SELECT confirm_token_hash FROM newsletter_subscriptions WHERE email = %s", (ADDRESS,))[0]
    assert bytes(stored["confirm_token_hash"]) == hashlib.sha256(token.encode()).digest()


def test_confirm_with_the_emailed_token(api, drain):
    subscribe(api)
    drain()
    [token] = confirmation_tokens()
    reply = api.get(f"/api/newsletter/confirm?token={token}")
    assert reply.status == 200, reply.text
    assert status_of() == "confirmed"
    assert api.get(f"/api/newsletter/confirm?token={token}").status == 200  # the same link twice is fine


@pytest.mark.parametrize("token", ["nope", "x" * 512, "' OR 1=1 --", "%E2%80%AE%F0%9F%92%A5"])
def test_confirm_with_an_unknown_token_is_400(api, token):
    reply = api.get(f"/api/newsletter/confirm?token={token}")
    assert reply.status == 400
    assert reply.json["detail"]


def test_confirmation_expires(api, drain):
    subscribe(api)
    drain()
    [token] = confirmation_tokens()
    sql("UPDATE newsletter_subscriptions SET confirmation_sent_at = now() - interval '49 hours'")
    assert api.get(f"/api/newsletter/confirm?token={token}").status == 400
    assert status_of() == "pending"


def test_subscribing_twice_sends_one_confirmation_within_the_window(api, drain):
    first, second = subscribe(api), subscribe(api, ADDRESS.upper())
    assert first.json == second.json
    drain()
    assert len(emails_to(ADDRESS)) == 1
    assert queue_depths()["blog-tasks"] == 0


def test_after_the_window_a_new_confirmation_replaces_the_old(api, drain):
    subscribe(api)
    drain()
    sql("UPDATE newsletter_subscriptions SET confirmation_sent_at = now() - interval '11 minutes'")
    subscribe(api)
    drain()
    old, new = confirmation_tokens()
    assert api.get(f"/api/newsletter/confirm?token={old}").status == 400
    assert api.get(f"/api/newsletter/confirm?token={new}").status == 200


def test_answer_does_not_reveal_an_existing_subscription(api, drain):
    fresh = subscribe(api, "new@example.com")
    subscribe(api)
    drain()
    api.get(f"/api/newsletter/confirm?token={confirmation_tokens()[0]}")
    sql("UPDATE newsletter_subscriptions SET confirmation_sent_at = now() - interval '1 day'")
    again = subscribe(api)
    assert (again.status, again.json) == (fresh.status, fresh.json)
    drain()
    assert len(emails_to(ADDRESS)) == 1  # a confirmed address gets no new confirmation


def test_unsubscribe_by_token_and_one_click(api, drain):
    subscribe(api)
    drain()
    api.get(f"/api/newsletter/confirm?token={confirmation_tokens()[0]}")
    token = unsubscribe_token()
    reply = api.post("/api/newsletter/unsubscribe", {"token": token})
    assert reply.status == 200, reply.text
    assert status_of() == "unsubscribed"
    assert api.post("/api/newsletter/unsubscribe", {"token": token}).status == 200  # repeatable
    # What a mail client sends for RFC 8058 one-click unsubscribe.
    one_click = api.request("POST", f"/api/newsletter/unsubscribe/one-click?token={token}",
                            body="List-Unsubscribe=One-Click",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert one_click.status == 200, one_click.text


def test_unsubscribe_with_unknown_token_is_400(api):
    assert api.post("/api/newsletter/unsubscribe", {"token": "missing"}).status == 400
    assert api.post("/api/newsletter/unsubscribe/one-click?token=missing").status == 400


def test_resubscribing_after_unsubscribing_needs_a_new_confirmation(api, drain):
    subscribe(api)
    drain()
    api.post("/api/newsletter/unsubscribe", {"token": unsubscribe_token()})
    sql("UPDATE newsletter_subscriptions SET confirmation_sent_at = now() - interval '11 minutes'")
    subscribe(api)
    assert status_of() == "pending"
    drain()
    tokens = confirmation_tokens()
    assert len(tokens) == 2
    assert api.get(f"/api/newsletter/confirm?token={tokens[0]}").status == 400  # cleared on unsubscribe
    assert api.get(f"/api/newsletter/confirm?token={tokens[1]}").status == 200


@pytest.mark.parametrize("body", [
    None, {}, {"email": "not-an-email"}, {"email": 42}, {"email": ["a@example.com"]},
    {"email": "a@example.com", "extra": 1}, {"email": "a" * 400 + "@example.com"},
    {"email": "x'; DROP TABLE users; --@example.com"}, {"email": "\u202e@example.com"},
])
def test_subscribe_rejects_bad_input(api, body):
    reply = api.post("/api/newsletter/subscribe", body)
    assert reply.status == 422, reply.text
    assert reply.json["detail"][0]["loc"][0] == "body"


def test_token_endpoints_reject_bad_input(api):
    assert api.get("/api/newsletter/confirm").status == 422
    assert api.get(f"/api/newsletter/confirm?token={'x' * 513}").status == 422
    assert api.post("/api/newsletter/unsubscribe", {"token": ""}).status == 422
    assert api.post("/api/newsletter/unsubscribe", {"token": 5}).status == 422
    assert api.post("/api/newsletter/unsubscribe/one-click").status == 422
