"""The worker: partial batch failures, crashes mid-batch, poison messages, duplicates."""
from __future__ import annotations

import json
import uuid

import pytest

from tests.support.aws import emails_to, queue_depths
from tests.support.tasks import (
    WorkerDied,
    delete,
    invoke_worker,
    make_visible,
    queue_url,
    receive,
    replace_client,
    sql,
    sqs,
)

ADDRESSES = [f"reader{i}@example.com" for i in range(3)]


def subscribe_all(api) -> None:
    for address in ADDRESSES:
        assert api.post("/api/newsletter/subscribe", {"email": address}).status == 202


def noop_body(task_id: str | None = None) -> str:
    return json.dumps({"task_id": task_id or str(uuid.uuid4()), "task_type": "noop", "payload": {}})


def test_worker_dies_mid_batch_and_each_effect_happens_once(api, app, drain, monkeypatch):
    subscribe_all(api)
    from layers.core import aws

    real_ses, calls = aws.client("ses"), []

    def dies_on_second_send(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise WorkerDied()
        return real_ses.send_raw_email(**kwargs)

    fake = replace_client(monkeypatch, "ses", send_raw_email=dies_on_second_send)
    batch = receive()
    assert len(batch) == 3
    with pytest.raises(WorkerDied):
        invoke_worker(app, batch)  # nothing is deleted: the whole batch will be redelivered
    assert sql("SELECT count(*) AS n FROM processed_tasks")[0]["n"] == 1

    fake.restore()
    drain()
    assert [len(emails_to(a)) for a in ADDRESSES] == [1, 1, 1]
    assert sql("SELECT count(*) AS n FROM processed_tasks")[0]["n"] == 3
    assert queue_depths() == {"blog-tasks": 0, "blog-tasks-dlq": 0}


def test_poison_message_is_dead_lettered_after_five_receives_while_its_batch_succeeds(app):
    poison_id = sqs().send_message(QueueUrl=queue_url(), MessageBody="{not json")["MessageId"]
    good = [noop_body() for _ in range(3)]
    for body in good:
        sqs().send_message(QueueUrl=queue_url(), MessageBody=body)

    receives = 0
    while batch := receive():
        failed = invoke_worker(app, batch)
        assert failed == ({poison_id} & {m["MessageId"] for m in batch})
        delete([m for m in batch if m["MessageId"] not in failed])
        make_visible([m for m in batch if m["MessageId"] in failed])  # skip the back-off wait
        receives += poison_id in {m["MessageId"] for m in batch}

    assert receives == 5
    assert queue_depths() == {"blog-tasks": 0, "blog-tasks-dlq": 1}
    [dead] = receive(dead_letter=True)
    assert dead["Body"] == "{not json"
    assert {str(r["task_id"]) for r in sql("SELECT task_id FROM processed_tasks")} == {
        json.loads(b)["task_id"] for b in good}


@pytest.mark.parametrize("body", [
    "", "[]", '{"task_type": "noop", "payload": {}}', json.dumps({"task_id": "x", "task_type": "nope", "payload": {}}),
    json.dumps({"task_id": str(uuid.uuid4()), "task_type": "send_digest", "payload": {"user_id": "many"}}),
])
def test_undecodable_messages_fail_alone(app, body):
    sqs().send_message(QueueUrl=queue_url(), MessageBody=body or " ")
    sqs().send_message(QueueUrl=queue_url(), MessageBody=noop_body())
    batch = receive()
    failed = invoke_worker(app, batch)
    assert len(failed) == 1 and len(batch) == 2


def test_a_failed_message_backs_off(api, app, monkeypatch):
    from botocore.exceptions import ClientError

    def ses_down(**_kwargs):
        raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "SendRawEmail")

    replace_client(monkeypatch, "ses", send_raw_email=ses_down)
    api.post("/api/newsletter/subscribe", {"email": ADDRESSES[0]})
    batch = receive()
    assert invoke_worker(app, batch) == {batch[0]["MessageId"]}
    assert receive() == []  # hidden for the back-off, although received with visibility 0
    assert queue_depths()["blog-tasks"] == 1


def test_duplicate_deliveries_of_one_task_take_effect_once(api, app, drain):
    api.post("/api/newsletter/subscribe", {"email": ADDRESSES[0]})
    [message] = receive()
    sqs().send_message(QueueUrl=queue_url(), MessageBody=message["Body"])  # SQS delivers at least once
    drain()
    assert len(emails_to(ADDRESSES[0])) == 1
    assert queue_depths() == {"blog-tasks": 0, "blog-tasks-dlq": 0}
