"""The ``aws`` provider: a factory of boto3 clients (``aws("sqs")``), created lazily and reused."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


def client_factory() -> Callable[[str], Any]:
    from layers.core import aws

    def client(service: str) -> Any:
        # Looked up per call, not captured once: the provider instance lives for the process,
        # while ``aws.client`` is reset (and, in failure tests, replaced) between uses.
        return aws.client(service)

    return client
