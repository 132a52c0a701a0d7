"""Dependency checks for ``/api/health``."""
from __future__ import annotations

from typing import Any

from layers.core import cache, db
from layers.core.settings import Settings


def queue_ok(sqs: Any, settings: Settings) -> bool:
    try:
        from layers.tasks.relay import queue_url

        sqs.get_queue_attributes(QueueUrl=queue_url(settings.tasks_queue_name),
                                 AttributeNames=["ApproximateNumberOfMessages"])
        return True
    except Exception:  # noqa: BLE001 - health reporting: any failure means "down"
        return False


def report(sqs: Any, settings: Settings, limiter_failed_recently: bool) -> dict[str, Any]:
    """``limiter_failed_recently``: whether the rate limiter failed open lately (the HTTP layer knows)."""
    database, redis, queue = db.ping(), cache.ping(), queue_ok(sqs, settings)
    limiter = "failing_open" if (not redis or limiter_failed_recently) else "ok"
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
