"""Dependency checks for ``/api/health``."""
from __future__ import annotations

from typing import Any

from layers.core import cache, db


def queue_ok() -> bool:
    try:
        from layers.core import aws
        from layers.core.settings import get_settings
        from layers.tasks.relay import queue_url

        aws.client("sqs").get_queue_attributes(
            QueueUrl=queue_url(get_settings().tasks_queue_name), AttributeNames=["ApproximateNumberOfMessages"])
        return True
    except Exception:  # noqa: BLE001 - health reporting: any failure means "down"
        return False


def report() -> dict[str, Any]:
    from layers.http import ratelimit

    database, redis, queue = db.ping(), cache.ping(), queue_ok()
    limiter = "failing_open" if (not redis or ratelimit.recently_failed()) else "ok"
    if not database:
        status = "down"
    elif redis and queue and limiter == "ok":
        status = "ok"
    else:
        status = "degraded"
    return {
        "status": status,
        "database": "ok" if database else "down",
        "redis": "ok" if redis else "down",
        "queue": "ok" if queue else "down",
        "rate_limiter": limiter,
    }
