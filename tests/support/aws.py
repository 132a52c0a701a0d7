"""Reading the AWS emulator's state: queued messages and sent emails."""
from __future__ import annotations

import email
import json
import os
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Any


@dataclass
class SentEmail:
    to: list[str]
    message: Message

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        for part in self.message.walk():
            if part.get_content_type() == f"text/{subtype}":
                return part.get_payload(decode=True).decode()
        raise AssertionError(f"no text/{subtype} part")


def sent_emails() -> list[SentEmail]:
    """Every email SES accepted, oldest first (moto's model dump)."""
    url = os.environ["AWS_ENDPOINT_URL"] + "/moto-api/data.json"
    with urllib.request.urlopen(url, timeout=5) as resp:
        data = json.load(resp)
    out = []
    for raw in data.get("ses", {}).get("RawMessage", []):
        out.append(SentEmail(list(raw.get("destinations") or []), email.message_from_string(raw["raw_data"])))
    return out


def emails_to(address: str) -> list[SentEmail]:
    return [m for m in sent_emails() if address in m.to or address in str(m.message["To"])]


def queue_depths() -> dict[str, int]:
    from layers.core import aws
    from layers.core.settings import get_settings
    from layers.tasks.relay import queue_url

    settings = get_settings()
    sqs = aws.client("sqs")
    out: dict[str, int] = {}
    for name in (settings.tasks_queue_name, settings.tasks_dlq_name):
        attrs = sqs.get_queue_attributes(QueueUrl=queue_url(name), AttributeNames=["All"])["Attributes"]
        out[name] = int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])
    return out


def drain(app: Any, max_batches: int = 50) -> int:
    """Run queued task messages through the app's SQS handler until none is received."""
    from infra.local.poller import poll_once, sqs_sources

    handled = 0
    for _ in range(max_batches):
        batch = 0
        for source in sqs_sources(app):
            ok, failed = poll_once(app, source)
            batch += ok + failed
        if batch == 0:
            return handled
        handled += batch
    return handled
