"""Support code for the task, job, newsletter and digest tests: queue access, fakes, test data."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from tests.support.aws import emails_to


class WorkerDied(BaseException):
    """Stands for the process dying: not an ``Exception``, so no handler in the worker catches it."""


class FakeClient:
    """A real boto3 client with some methods replaced (``overrides``: name -> callable)."""

    def __init__(self, real: Any, **overrides: Callable[..., Any]) -> None:
        self._real = real
        self._overrides = overrides

    def __getattr__(self, name: str) -> Any:
        return self._overrides.get(name) or getattr(self._real, name)

    def override(self, name: str, replacement: Callable[..., Any]) -> None:
        self._overrides[name] = replacement

    def restore(self) -> None:
        """The service recovers: every call goes to the real client again."""
        self._overrides.clear()


def replace_client(monkeypatch: Any, service: str, **overrides: Callable[..., Any]) -> FakeClient:
    """Make ``aws.client(service)`` answer a ``FakeClient`` for the rest of the test."""
    from layers.core import aws

    real_factory = aws.client
    fake = FakeClient(real_factory(service), **overrides)

    def factory(name: str, fail_fast: bool = False) -> Any:
        return fake if name == service else real_factory(name, fail_fast)

    factory.cache_clear = real_factory.cache_clear  # conftest resets the client cache after a test
    monkeypatch.setattr(aws, "client", factory)
    return fake


def unreachable(*_args: Any, **_kwargs: Any) -> Any:
    from botocore.exceptions import EndpointConnectionError

    raise EndpointConnectionError(endpoint_url="http://sqs.unreachable")


def sqs() -> Any:
    from layers.core import aws

    return aws.client("sqs")


def queue_url(dead_letter: bool = False) -> str:
    from layers.core.settings import get_settings
    from layers.tasks.relay import queue_url as url

    settings = get_settings()
    return url(settings.tasks_dlq_name if dead_letter else settings.tasks_queue_name)


def receive(max_messages: int = 10, dead_letter: bool = False) -> list[dict[str, Any]]:
    """Receive with a zero visibility timeout, so whatever is not deleted is visible again at once."""
    return sqs().receive_message(QueueUrl=queue_url(dead_letter), MaxNumberOfMessages=max_messages,
                                 VisibilityTimeout=0, WaitTimeSeconds=0, AttributeNames=["All"]).get("Messages", [])


def invoke_worker(app: Any, messages: list[dict[str, Any]]) -> set[str]:
    """Run the worker function on these messages as Lambda would; the ids it reported failed."""
    from infra.local.poller import lambda_event

    arn = sqs().get_queue_attributes(QueueUrl=queue_url(), AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    result = app.handler_map["task_worker"](lambda_event(messages, arn), None)
    return {f["itemIdentifier"] for f in result["batchItemFailures"]}


def delete(messages: list[dict[str, Any]]) -> None:
    for message in messages:
        sqs().delete_message(QueueUrl=queue_url(), ReceiptHandle=message["ReceiptHandle"])


def make_visible(messages: list[dict[str, Any]]) -> None:
    """Undo the worker's back-off so a failed message can be received again now."""
    for message in messages:
        sqs().change_message_visibility(QueueUrl=queue_url(), ReceiptHandle=message["ReceiptHandle"],
                                        VisibilityTimeout=0)


def run_scheduled(client: Any, job: str, at: datetime | None = None) -> Any:
    """Invoke a ``@schedule`` handler with the event EventBridge sends it."""
    event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                            resources=[f"arn:aws:events:us-east-1:000000000000:rule/{job}"])
    event["time"] = (at or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return client.lambda_.invoke(job, event).payload


def sql(query: str, params: Any = None) -> list[dict[str, Any]]:
    """Run one statement in its own committed transaction; rows if it returns any."""
    from layers.core import db

    with db.connection() as conn:
        cur = conn.execute(query, params)
        rows = cur.fetchall() if cur.description else []
        conn.commit()
    return rows


def add_post(slug: str, *, hours_ago: float | None = 1.0, premium: bool = False, series_id: int | None = None,
             position: int | None = None, content: str = "Full body text.", excerpt: str | None = None) -> int:
    """A post published ``hours_ago`` (a draft when None)."""
    status = "draft" if hours_ago is None else "published"
    return sql(
        "INSERT INTO posts (slug, title, excerpt, content, status, is_premium, series_id, series_position,"
        " published_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s,"
        " CASE WHEN %s::float8 IS NULL THEN NULL ELSE now() - make_interval(secs => %s::float8 * 3600) END)"
        " RETURNING id",
        (slug, slug.replace("-", " ").title(), excerpt if excerpt is not None else f"About {slug}.", content,
         status, premium, series_id, position, hours_ago, hours_ago),
    )[0]["id"]


def add_series(slug: str) -> int:
    return sql("INSERT INTO series (slug, title) VALUES (%s, %s) RETURNING id", (slug, slug.title()))[0]["id"]


def verify_email(api: Any, drain: Callable[[], int], email: str) -> None:
    """Verify an account through the emailed link, as its owner would."""
    drain()
    token = link_token(emails_to(email)[-1].part("plain"), "verify-email")
    reply = api.post("/api/auth/verify-email", {"token": token})
    assert reply.status == 200, reply.text


def link_token(text: str, path: str) -> str:
    match = re.search(re.escape(path) + r"\?token=([\w%-]+)", text)
    assert match, f"no {path} link in: {text}"
    from urllib.parse import unquote

    return unquote(match.group(1))
