"""boto3 clients, created lazily (boto3 costs ~200 ms to import) and reused per container."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

# What the ``aws`` provider gives a handler: ``aws("sqs")`` -> a boto3 client.
Clients = Callable[[str], Any]


@functools.cache
def client(service: str, fail_fast: bool = False) -> Any:
    """``fail_fast``: one attempt with short timeouts, for calls that have a fallback (the
    post-commit outbox relay, whose rows the sweep sends later) and must not hold a request."""
    import boto3  # lazy: only functions that talk to AWS pay for it
    from botocore.config import Config

    from layers.core.settings import get_settings

    settings = get_settings()
    return boto3.client(
        service,
        endpoint_url=settings.aws_endpoint_url,
        region_name=settings.aws_region,
        # SigV4 everywhere: S3 would otherwise sign presigned POSTs with the deprecated SigV2.
        config=Config(retries={"max_attempts": 1 if fail_fast else 3, "mode": "standard"},
                      connect_timeout=1 if fail_fast else 2, read_timeout=2 if fail_fast else 10,
                      signature_version="s3v4" if service == "s3" else None),
    )


def reset_clients() -> None:
    client.cache_clear()
