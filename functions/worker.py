"""The SQS worker: runs task messages and reports partial batch failures.

Deployed with ``FunctionResponseTypes: [ReportBatchItemFailures]`` on its event source mapping,
so only the failed records return to the queue. App-level middleware does not run for blueprint
event handlers on Lambda (aws/chalice#1566): logging is configured here.
"""
from __future__ import annotations

import os
from typing import Any

from chalice.app import Blueprint

from layers import snapstart
from layers.core.logging import configure

configure()
snapstart.prepare()  # restore hooks; at a SnapStart init, the embedding model too
blueprint = Blueprint(__name__)
QUEUE_NAME = os.environ.get("TASKS_QUEUE_NAME", "blog-tasks")
BATCH_SIZE = 10


@blueprint.on_sqs_message(queue=QUEUE_NAME, batch_size=BATCH_SIZE, name="task_worker")
def task_worker(event: Any) -> dict[str, list[dict[str, str]]]:
    from layers.tasks.worker import Message, process_batch

    messages = [
        Message(
            message_id=record.to_dict()["messageId"],
            body=record.body,
            receipt_handle=record.receipt_handle,
            receive_count=int(record.to_dict().get("attributes", {}).get("ApproximateReceiveCount", 1)),
            queue_arn=record.to_dict().get("eventSourceARN"),
        )
        for record in event
    ]
    failed = process_batch(messages)
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
