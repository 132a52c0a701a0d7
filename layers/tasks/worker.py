"""Run a batch of task messages; report the ones that failed (SQS partial batch response).

Each message is handled in its own transaction that first claims the task id in
``processed_tasks``: a redelivered message whose effect already committed does nothing. A failed
message is made visible again after an exponential back-off; after 5 receives SQS moves it to the
dead-letter queue. Side effects outside PostgreSQL (an email) happen before the commit, so a crash
in between can repeat them once; every effect inside PostgreSQL happens exactly once.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from layers.core import aws
from layers.core.logging import get_logger
from layers.core.uow import UnitOfWork
from layers.tasks import registry, relay

log = get_logger("tasks.worker")
MAX_BACKOFF_SECONDS = 900


@dataclass(frozen=True)
class Message:
    message_id: str
    body: str
    receipt_handle: str | None = None
    receive_count: int = 1
    queue_arn: str | None = None


class PoisonMessage(ValueError):
    """A message that can never succeed (bad JSON, unknown type, invalid payload)."""


def process_batch(messages: list[Message]) -> list[str]:
    """Handle each message; return the ids of those that failed."""
    failures = []
    for message in messages:
        try:
            handle(message)
        except Exception as exc:
            log.error("task failed", extra={"message_id": message.message_id, "error": type(exc).__name__},
                      exc_info=not isinstance(exc, PoisonMessage))
            failures.append(message.message_id)
            _back_off(message)
    return failures


def handle(message: Message) -> bool:
    """Run one task; False when its id had already taken effect."""
    from layers.tasks.relay import unit_of_work

    task_id, definition, payload = _decode(message.body)
    with unit_of_work() as uow:
        # The claim and the effect share the transaction, so a conflict retries both together.
        return uow.run(lambda: _claim_and_run(uow, task_id, definition, payload))


def _claim_and_run(uow: UnitOfWork, task_id: str, definition: registry.TaskDefinition, payload: Any) -> bool:
    from layers import bootstrap

    claimed = uow.conn.execute(
            "INSERT INTO processed_tasks (task_id, task_type) VALUES (%s, %s)"
        " ON CONFLICT (task_id) DO NOTHING RETURNING task_id",
        (task_id, definition.name),
    ).fetchone()
    if claimed is None:
        log.info("task already processed", extra={"task_id": task_id})
        return False
    given = {"db": uow.conn, "payload": payload, "task_id": task_id}
    if "mailer" in bootstrap.parameters(definition.handler):
        from layers.tasks.delivery import OncePerTask

        given["mailer"] = OncePerTask(bootstrap.provide("mailer"), task_id)
    bootstrap.call(definition.handler, given)
    return True


def _decode(body: str) -> tuple[str, registry.TaskDefinition, Any]:
    try:
        envelope = json.loads(body)
        definition = registry.get(envelope["task_type"])
        return str(envelope["task_id"]), definition, definition.payload_model.model_validate(envelope["payload"])
    except (ValueError, KeyError, TypeError, LookupError, ValidationError) as exc:
        raise PoisonMessage(f"undecodable task message: {type(exc).__name__}") from exc


def _back_off(message: Message) -> None:
    if not message.receipt_handle or not message.queue_arn:
        return
    from layers.core.settings import get_settings

    base = get_settings().task_retry_base_seconds
    delay = min(MAX_BACKOFF_SECONDS, base * 2 ** max(0, message.receive_count - 1))
    try:
        queue_name = message.queue_arn.rsplit(":", 1)[-1]
        aws.client("sqs").change_message_visibility(
            QueueUrl=relay.queue_url(queue_name), ReceiptHandle=message.receipt_handle,
            VisibilityTimeout=delay,
        )
    except Exception:  # noqa: BLE001 - the queue's own visibility timeout still applies
        log.warning("could not set back-off for message", extra={"message_id": message.message_id})
