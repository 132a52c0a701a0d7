"""The ``aws`` provider: a factory of boto3 clients (``aws("sqs")``), created lazily and reused."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


def client_factory() -> Callable[[str], Any]:
    from layers.core import aws

    return aws.client
