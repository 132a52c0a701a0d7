"""The local stand-ins for EventBridge schedules and the SQS event source mapping."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import pytest

from infra.local import cron


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.mark.parametrize("expression,moment,due", [
    ("cron(0 7 * * ? *)", "2026-05-11T07:00", True),
    ("cron(0 7 * * ? *)", "2026-05-11T07:01", False),
    ("cron(*/15 * * * ? *)", "2026-05-11T10:45", True),
    ("cron(*/15 * * * ? *)", "2026-05-11T10:46", False),
    ("cron(30 3 ? * MON-FRI *)", "2026-05-11T03:30", True),   # a Monday
    ("cron(30 3 ? * MON-FRI *)", "2026-05-10T03:30", False),  # a Sunday
    ("cron(0 0 1 JAN,JUL ? *)", "2026-07-01T00:00", True),
    ("cron(0 12 ? * 1 *)", "2026-05-10T12:00", True),         # 1 = Sunday in EventBridge
])
def test_cron_expressions(expression, moment, due):
    assert cron.parse(expression).due(at(moment), None) is due


def test_rate_expressions_fire_after_their_interval():
    schedule = cron.parse("rate(5 minutes)")
    start = at("2026-05-11T10:00")
    assert schedule.due(start, None)
    assert not schedule.due(start + timedelta(minutes=4), start)
    assert schedule.due(start + timedelta(minutes=5), start)


@pytest.mark.parametrize("bad", ["cron(0 7 * *)", "cron(0 25 * * ? *)", "cron(0 7 L * ? *)", "every day"])
def test_bad_expressions_are_refused(bad):
    with pytest.raises(ValueError):
        cron.parse(bad)


def test_scheduler_discovers_and_fires_the_apps_schedules(app, monkeypatch):
    from infra.local.scheduler import Scheduler, expression_of, scheduled_sources

    sources = scheduled_sources(app)
    assert sources
    fired = []
    done = threading.Event()
    target = sources[0]
    monkeypatch.setitem(app.handler_map, target.name,
                        lambda event, context: (fired.append(event), done.set()))
    scheduler = Scheduler(app, threading.Event())
    schedule = cron.parse(expression_of(target))
    moment = next(at("2026-05-11T00:00") + timedelta(minutes=m) for m in range(60 * 24 * 8)
                  if schedule.due(at("2026-05-11T00:00") + timedelta(minutes=m), None))
    assert target.name in scheduler.tick(moment)
    assert done.wait(5)
    assert fired[0]["detail-type"] == "Scheduled Event"
    assert target.name not in scheduler.tick(moment)  # once per minute, even if ticked twice


def _enqueue(messages: list[dict]) -> None:
    from layers.core import aws
    from layers.core.settings import get_settings
    from layers.tasks.relay import queue_url

    sqs = aws.client("sqs")
    for message in messages:
        sqs.send_message(QueueUrl=queue_url(get_settings().tasks_queue_name), MessageBody=json.dumps(message))


def test_poller_deletes_only_the_records_that_succeeded(app, monkeypatch):
    from infra.local.poller import poll_once, sqs_sources
    from tests.support.aws import queue_depths

    source = sqs_sources(app)[0]
    _enqueue([{"n": 1}, {"n": 2}, {"n": 3}])

    def handler(event, context):
        failed = [r["messageId"] for r in event["Records"] if json.loads(r["body"])["n"] == 2]
        return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}

    monkeypatch.setitem(app.handler_map, source.name, handler)
    assert poll_once(app, source) == (2, 1)
    assert queue_depths()["blog-tasks"] == 1


def test_poller_keeps_the_whole_batch_when_the_handler_raises(app, monkeypatch):
    from infra.local.poller import poll_once, sqs_sources
    from tests.support.aws import queue_depths

    source = sqs_sources(app)[0]
    _enqueue([{"n": 1}, {"n": 2}])

    def broken(event, context):
        raise RuntimeError("boom")

    monkeypatch.setitem(app.handler_map, source.name, broken)
    assert poll_once(app, source) == (0, 2)
    assert queue_depths()["blog-tasks"] == 2
