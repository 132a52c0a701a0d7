"""Feeds SQS messages to the app's ``on_sqs_message`` handlers (Lambda's event source mapping).

Like the real mapping with ``ReportBatchItemFailures``: a batch goes to the handler, the records
it reports in ``batchItemFailures`` stay on the queue, the rest are deleted. A handler that raises
fails the whole batch. Handlers are discovered from the app's event sources.
"""
from __future__ import annotations

import functools
import threading
from typing import Any

from layers.core.logging import get_logger

log = get_logger("local.poller")


def sqs_sources(app: Any) -> list[Any]:
    from chalice.app import SQSEventConfig

    return [s for s in app.event_sources if isinstance(s, SQSEventConfig)]


def lambda_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    return {"Records": [{
        "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
        "attributes": m.get("Attributes", {}), "messageAttributes": {}, "md5OfBody": m.get("MD5OfBody", ""),
        "eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": "us-east-1",
    } for m in messages]}


@functools.lru_cache(maxsize=8)
def _queue_arn(url: str) -> str:
    from layers.core import aws

    return aws.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def poll_once(app: Any, source: Any, wait_seconds: int = 0,
              stop: threading.Event | None = None) -> tuple[int, int]:
    """Receive one batch for ``source`` and run it; returns (handled, failed).

    With ``stop`` (the running stack), the batch is handed over one record at a time and what is
    left when ``stop`` is set goes back to the queue at once, so Ctrl-C never waits on a whole
    batch of slow tasks (embedding ten posts) nor kills one half-way.
    """
    from layers.core import aws
    from layers.tasks.relay import queue_url

    sqs = aws.client("sqs")
    url = queue_url(source.queue)
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=min(10, source.batch_size),
                                   WaitTimeSeconds=wait_seconds, AttributeNames=["All"]).get("Messages", [])
    if not received:
        return 0, 0
    arn = _queue_arn(url)
    chunks = [received] if stop is None else [[m] for m in received]
    done: list[dict[str, Any]] = []
    failed_count = 0
    for index, chunk in enumerate(chunks):
        if stop is not None and stop.is_set():
            _release(sqs, url, [m for rest in chunks[index:] for m in rest])
            break
        ok, failed = _run(app, source, chunk, arn)
        done += ok
        failed_count += failed
    if done:
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)])
    return len(done), failed_count


def _run(app: Any, source: Any, messages: list[dict[str, Any]], arn: str) -> tuple[list[dict[str, Any]], int]:
    try:
        result = app.handler_map[source.name](lambda_event(messages, arn), None) or {}
        failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
    except Exception:
        log.exception("SQS handler raised; batch left on the queue", extra={"handler": source.name})
        return [], len(messages)
    return [m for m in messages if m["MessageId"] not in failed], len(failed)


def _release(sqs: Any, url: str, messages: list[dict[str, Any]]) -> None:
    sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0} for i, m in enumerate(messages)])


class SqsPoller(threading.Thread):
    def __init__(self, app: Any, stop: threading.Event) -> None:
        super().__init__(daemon=True, name="sqs-poller")
        self.app, self.stop = app, stop

    def run(self) -> None:
        sources = sqs_sources(self.app)
        log.info("local SQS poller started", extra={"handlers": [s.name for s in sources]})
        while not self.stop.is_set():
            for source in sources:
                try:
                    poll_once(self.app, source, wait_seconds=1, stop=self.stop)
                except Exception:
                    log.exception("SQS poll failed")
                    self.stop.wait(2.0)
