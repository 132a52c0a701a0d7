"""The email layer: both parts, RFC 8058 headers, per-recipient failures in bulk sends."""
from __future__ import annotations

import email
from typing import Any

import pytest

from tests.support.aws import emails_to
from tests.support.tasks import replace_client

LONG_URL = "https://api.example.com/api/newsletter/unsubscribe/one-click?token=" + "t" * 43


def bulk(to: str) -> Any:
    from layers.core.mail import Email

    return Email(to=to, subject="Hello \u00e9", text="plain body", html="<p>html body</p>",
                 unsubscribe_url="https://example.com/newsletter/unsubscribe?token=abc", one_click_url=LONG_URL)


def test_mime_has_both_parts_and_unencoded_list_unsubscribe():
    message = email.message_from_bytes(bulk("a@example.com").to_mime("no-reply@blog.local"))
    assert [p.get_content_type() for p in message.walk()] == ["multipart/alternative", "text/plain", "text/html"]
    # A folded long URL used to become RFC 2047 encoded words, which mail clients do not decode here.
    assert message["List-Unsubscribe"] == f"<{LONG_URL}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_without_one_click_url_there_is_no_one_click_header():
    from layers.core.mail import Email

    plain = Email(to="a@example.com", subject="s", text="t", html="h", unsubscribe_url="https://x/u")
    message = email.message_from_bytes(plain.to_mime("no-reply@blog.local"))
    assert message["List-Unsubscribe"] == "<https://x/u>" and message["List-Unsubscribe-Post"] is None


def test_bulk_send_keeps_going_past_a_rejected_recipient(monkeypatch):
    from botocore.exceptions import ClientError

    from layers.adapters.ses_mailer import SesMailer
    from layers.core import aws
    from layers.core.errors import RecipientRejected

    sender = SesMailer()

    real = aws.client("ses")

    def send_raw_email(**kwargs):
        if b"To: bad@example.com" in kwargs["RawMessage"]["Data"]:
            raise ClientError({"Error": {"Code": "InvalidParameterValue", "Message": "bad address"}}, "SendRawEmail")
        return real.send_raw_email(**kwargs)

    # The emulator's quota says 1 email a second; a real account's is higher.
    replace_client(monkeypatch, "ses", send_raw_email=send_raw_email,
                   get_send_quota=lambda: {"MaxSendRate": 100.0})
    result = sender.send_bulk([bulk("a@example.com"), bulk("bad@example.com"), bulk("c@example.com")])
    assert (result.sent, result.failed) == (["a@example.com", "c@example.com"], ["bad@example.com"])
    [received] = emails_to("c@example.com")
    assert received.part("plain").strip() == "plain body" and received.part("html").strip() == "<p>html body</p>"


def test_permanent_and_transient_failures_are_told_apart(monkeypatch):
    from botocore.exceptions import ClientError, EndpointConnectionError

    from layers.adapters.ses_mailer import SesMailer
    from layers.core.errors import DependencyUnavailable, RecipientRejected

    sender = SesMailer()

    def fail_with(exc):
        def raise_(**_kwargs):
            raise exc
        return raise_

    fake = replace_client(monkeypatch, "ses", send_raw_email=fail_with(
        ClientError({"Error": {"Code": "MessageRejected", "Message": "no"}}, "SendRawEmail")))
    with pytest.raises(RecipientRejected):
        sender.send(bulk("a@example.com"))
    for transient in (ClientError({"Error": {"Code": "Throttling", "Message": "slow down"}}, "SendRawEmail"),
                      EndpointConnectionError(endpoint_url="http://ses")):
        fake.override("send_raw_email", fail_with(transient))
        with pytest.raises(DependencyUnavailable) as caught:
            sender.send(bulk("a@example.com"))
        assert not isinstance(caught.value, RecipientRejected)
