"""Fires the app's ``@schedule`` handlers on their own expressions (EventBridge's job on AWS).

The handlers and their expressions are read from the app's event sources, never from a list
kept here. Each due handler runs once per matching minute, in its own thread.
"""
from __future__ import annotations

import threading
import uuid
from datetime import datetime, timezone
from typing import Any

from infra.local import cron
from layers.core.logging import get_logger

log = get_logger("local.scheduler")


def scheduled_sources(app: Any) -> list[Any]:
    from chalice.app import ScheduledEventConfig

    return [s for s in app.event_sources if isinstance(s, ScheduledEventConfig)]


def expression_of(source: Any) -> str:
    expr = source.schedule_expression
    return expr if isinstance(expr, str) else expr.to_string()


def scheduled_event(name: str, at: datetime) -> dict[str, Any]:
    """The event EventBridge sends a scheduled Lambda."""
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
        "source": "aws.events", "account": "000000000000", "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1", "resources": [f"arn:aws:events:us-east-1:000000000000:rule/{name}"],
        "detail": {},
    }


class Scheduler(threading.Thread):
    def __init__(self, app: Any, stop: threading.Event) -> None:
        super().__init__(daemon=True, name="scheduler")
        self.app, self.stop = app, stop
        self.jobs = {s.name: cron.parse(expression_of(s)) for s in scheduled_sources(app)}
        self.last_run: dict[str, datetime] = {}

    def run(self) -> None:
        log.info("local scheduler started", extra={"jobs": sorted(self.jobs)})
        last_minute = None
        while not self.stop.wait(1.0):
            now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
            if now == last_minute:
                continue
            last_minute = now
            self.tick(now)

    def tick(self, now: datetime) -> list[str]:
        fired = []
        for name, schedule in self.jobs.items():
            if schedule.due(now, self.last_run.get(name)):
                self.last_run[name] = now
                threading.Thread(target=self._fire, args=(name, now), daemon=True).start()
                fired.append(name)
        return fired

    def _fire(self, name: str, at: datetime) -> None:
        try:
            self.app.handler_map[name](scheduled_event(name, at), None)
        except Exception:
            log.exception("scheduled job raised", extra={"job": name})
