"""A redelivered task does not send its email again once an earlier attempt may have reached SES;
an attempt that provably sent nothing is retried."""
from __future__ import annotations

import pytest

from tests.support.aws import emails_to, queue_depths
from tests.support.tasks import invoke_worker, make_visible, receive, replace_client, sql

ADDRESS = "reader@example.com"


def _one_confirmation_task(api):
    assert api.post("/api/newsletter/subscribe", {"email": ADDRESS}).status == 202
    [message] = receive()
    return message


def test_a_redelivered_task_does_not_resend_what_ses_accepted(stack):
    """The task failed after its email went out (a later step, or its commit): the redelivery
    finds the send recorded and sends nothing; another task's email to the same address goes."""
    import uuid

    from layers.adapters.memory_mailer import MemoryMailer
    from layers.core.mail import Email
    from layers.tasks.delivery import OncePerTask

    mailer, task_id = MemoryMailer(), str(uuid.uuid4())
    email = Email(to=ADDRESS, subject="Confirm", text="plain", html="<p>html</p>")
    assert OncePerTask(mailer, task_id).send(email)
    assert OncePerTask(mailer, task_id).send(email) == ""  # the redelivery
    assert OncePerTask(mailer, str(uuid.uuid4())).send(email)
    assert [m.to for m in mailer.sent] == [ADDRESS, ADDRESS]


def test_a_lost_reply_is_not_resent(api, app, drain, monkeypatch):
    from botocore.exceptions import ReadTimeoutError

    from layers.core import aws

    real_ses = aws.client("ses")

    def reply_lost(**kwargs):
        real_ses.send_raw_email(**kwargs)
        raise ReadTimeoutError(endpoint_url="http://ses")

    fake = replace_client(monkeypatch, "ses", send_raw_email=reply_lost)
    message = _one_confirmation_task(api)
    assert invoke_worker(app, [message]) == {message["MessageId"]}
    fake.restore()
    make_visible([message])
    drain()
    assert len(emails_to(ADDRESS)) == 1


def test_an_attempt_that_sent_nothing_is_retried(api, app, drain, monkeypatch):
    from botocore.exceptions import EndpointConnectionError

    def unreachable(**_kwargs):
        raise EndpointConnectionError(endpoint_url="http://ses")

    fake = replace_client(monkeypatch, "ses", send_raw_email=unreachable)
    message = _one_confirmation_task(api)
    assert invoke_worker(app, [message]) == {message["MessageId"]}
    assert sql("SELECT state FROM email_deliveries") == [{"state": "failed"}]
    fake.restore()
    make_visible([message])
    drain()
    assert len(emails_to(ADDRESS)) == 1
    assert sql("SELECT state FROM email_deliveries") == [{"state": "sent"}]
