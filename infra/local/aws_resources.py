"""Create the AWS resources the app expects, in moto (or a LocalStack): idempotent.

On a real stage these come from the generated CloudFormation template instead; the shapes match
(a task queue whose dead-letter queue takes messages after 5 receives, a visibility timeout of
six times the worker's timeout, the uploads and site buckets, the verified sender).
"""
from __future__ import annotations

import json
from typing import Any

MAX_RECEIVES = 5
WORKER_TIMEOUT_SECONDS = 60
VISIBILITY_TIMEOUT_SECONDS = 6 * WORKER_TIMEOUT_SECONDS


def provision(client: Any, settings: Any) -> dict[str, str]:
    """``client(name)`` returns a boto3 client; returns the queue URLs."""
    sqs = client("sqs")
    dlq_url = sqs.create_queue(
        QueueName=settings.tasks_dlq_name,
        Attributes={"MessageRetentionPeriod": str(14 * 24 * 3600)},
    )["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue_url = sqs.create_queue(
        QueueName=settings.tasks_queue_name,
        Attributes={
            "VisibilityTimeout": str(VISIBILITY_TIMEOUT_SECONDS),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVES)}),
        },
    )["QueueUrl"]
    s3 = client("s3")
    for bucket in (settings.uploads_bucket, settings.site_bucket):
        try:
            s3.create_bucket(Bucket=bucket)
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass
    client("ses").verify_email_identity(EmailAddress=settings.email_sender)
    return {"queue_url": queue_url, "dlq_url": dlq_url}
