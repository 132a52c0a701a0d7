"""Outbox and relay: a committed task reaches the queue even when SQS or the process fails."""
from __future__ import annotations

import json
import threading

from tests.support.aws import emails_to, queue_depths
from tests.support.tasks import delete, receive, replace_client, run_scheduled, sql, unreachable


def enqueue_committed(count: int, task_type: str = "noop") -> None:
    """Commit tasks, then lose the post-commit relay (as if the process died right after commit)."""
    from layers.core import db
    from layers.tasks import outbox

    with db.connection() as conn:
        for i in range(count):
            outbox.enqueue(conn, task_type, {"note": str(i)})
        conn.commit()
    outbox.take_pending()


def test_sqs_unreachable_at_commit_then_the_sweep_delivers(api, client, drain, monkeypatch):
    fake = replace_client(monkeypatch, "sqs", send_message_batch=unreachable)
    reply = api.post("/api/auth/register", {"email": "late@example.com", "password": "long enough password",
                                            "name": "Late"})
    assert reply.status == 201, reply.text  # the request does not fail because SQS does
    [row] = sql("SELECT status, attempts, last_error, available_at > now() AS backed_off FROM task_outbox")
    assert row == {"status": "pending", "attempts": 1, "last_error": "EndpointConnectionError", "backed_off": True}
    assert queue_depths()["blog-tasks"] == 0

    fake.restore()  # SQS is back
    assert run_scheduled(client, "outbox_sweep")["counts"] == {"sent": 0, "failed": 0}  # still backing off
    sql("UPDATE task_outbox SET available_at = now()")  # the back-off has passed
    assert run_scheduled(client, "outbox_sweep")["counts"] == {"sent": 1, "failed": 0}
    assert sql("SELECT status FROM task_outbox")[0]["status"] == "sent"
    drain()
    assert len(emails_to("late@example.com")) == 1


def test_sweep_keeps_tasks_while_sqs_is_down(client, monkeypatch):
    enqueue_committed(3)
    replace_client(monkeypatch, "sqs", send_message_batch=unreachable)
    result = run_scheduled(client, "outbox_sweep")
    assert result["counts"] == {"sent": 0, "failed": 3}
    assert sql("SELECT count(*) AS n FROM task_outbox WHERE status = 'pending' AND attempts = 1")[0]["n"] == 3


def test_process_dying_between_commit_and_send(client):
    enqueue_committed(25)
    assert queue_depths()["blog-tasks"] == 0
    assert run_scheduled(client, "outbox_sweep")["counts"] == {"sent": 25, "failed": 0}
    assert run_scheduled(client, "outbox_sweep")["counts"] == {"sent": 0, "failed": 0}
    assert queue_depths()["blog-tasks"] == 25


def test_concurrent_sweeps_send_each_task_once():
    from layers.tasks import relay

    enqueue_committed(120)
    results: list[dict[str, int]] = []
    threads = [threading.Thread(target=lambda: results.append(relay.sweep(batch_size=20))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["sent"] for r in results) == 120
    task_ids = []
    while batch := receive():
        task_ids += [json.loads(m["Body"])["task_id"] for m in batch]
        delete(batch)
    assert len(task_ids) == len(set(task_ids)) == 120


def test_rolled_back_work_sends_nothing(api):
    from layers.core import db
    from layers.tasks import outbox, relay

    with db.connection() as conn:
        outbox.enqueue(conn, "noop", {})
        conn.rollback()
    assert relay.flush_pending() == 0
    assert queue_depths()["blog-tasks"] == 0


def test_a_nested_unit_of_work_keeps_the_enclosing_ones_tasks(stack):
    """A job's run opens units of work inside the runner's: each relays its own tasks, and the
    enclosing one's are still relayed right after its own commit."""
    from layers.tasks import outbox, relay
    from tests.support.content import db_rows

    with relay.unit_of_work() as outer:
        outer_task = outbox.enqueue(outer.conn, "noop", {"note": "outer"})
        with relay.unit_of_work() as inner:
            inner_task = outbox.enqueue(inner.conn, "noop", {"note": "inner"})
        assert outbox.has_pending()
    assert not outbox.has_pending()
    assert dict(db_rows("SELECT id, status FROM task_outbox")) == {outer_task: "sent", inner_task: "sent"}
