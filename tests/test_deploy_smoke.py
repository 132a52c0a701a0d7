"""The packaged stack deployed into the ministack emulator and exercised through its API Gateway.

This is ``make deploy-smoke`` (and part of ``make test``): the template, the per-function
packages, SSM settings, the SQS worker with its dead-letter queue and the schedules, all running
as deployed. PostgreSQL and Redis are the test session's; the deployment is built and torn down
once for this module. It takes a few minutes, most of it packaging and the dead-letter wait.
"""
from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PASSWORD = "deploy-smoke-password-1"
# Back-off after failures is 10, 20, 40, 80 s (layers/tasks/worker.py): the 5th receive comes
# about 150 s after the 1st, then SQS moves the message to the dead-letter queue; with the
# emulator's polling that took about 245 s here. Upper bounds, generous for a loaded machine.
DEAD_LETTER_WAIT_SECONDS = 480
WORKER_WAIT_SECONDS = 180
SCHEDULE_WAIT_SECONDS = 240


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any


@pytest.fixture(scope="module")
def deployment(stack: dict[str, str], stack_root: Path) -> Iterator[Any]:
    from infra.deploy.local import deployed
    from infra.local.ports import ANY, Ports

    # A free port unless TEST_DEPLOY_AWS_PORT pins one, so that parallel test sessions never meet.
    pinned = os.environ.get("TEST_DEPLOY_AWS_PORT")
    ports = Ports(aws=int(pinned) if pinned else ANY, variables={"aws": "TEST_DEPLOY_AWS_PORT"})
    with deployed("dev", ports=ports, root=stack_root / "deploy", database_url=stack["DATABASE_URL"],
                  redis_url=stack["REDIS_URL"]) as deployed_stack:
        yield deployed_stack


@pytest.fixture(scope="module")
def aws(deployment: Any) -> Callable[[str], Any]:
    import boto3

    def client(name: str) -> Any:
        return boto3.client(name, endpoint_url=deployment.endpoint, region_name="us-east-1",
                            aws_access_key_id="000000000000", aws_secret_access_key="emulator")

    return client


@pytest.fixture(scope="module")
def poison_message_id(deployment: Any, aws: Callable[[str], Any]) -> str:
    """Sent as soon as the stack is up: the dead-letter test at the end waits for it. The worker
    retries it after 1, 2, 4, 8 s instead of 10, 20, 40, 80 s, so five receives fit a short wait."""
    lam = aws("lambda")
    worker = lam.get_function_configuration(FunctionName=deployment.resources["TaskWorker"])
    variables = {**worker.get("Environment", {}).get("Variables", {}), "TASK_RETRY_BASE_SECONDS": "1"}
    lam.update_function_configuration(FunctionName=worker["FunctionName"], Environment={"Variables": variables})
    # The queue invokes the worker's SnapStart alias: publish the changed configuration and point it there.
    version = lam.publish_version(FunctionName=worker["FunctionName"])["Version"]
    lam.update_alias(FunctionName=worker["FunctionName"], Name="live", FunctionVersion=version)
    sent = aws("sqs").send_message(QueueUrl=deployment.outputs["TasksQueueUrl"],
                                   MessageBody='{"task_type": "no_such_task", "task_id": "x"}')
    return str(sent["MessageId"])


def call(deployment: Any, method: str, path: str, body: Any = None, token: str | None = None) -> Reply:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(deployment.invoke_url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        raw, status = error.read(), error.code
    try:
        return Reply(status, json.loads(raw) if raw else None)
    except ValueError:
        return Reply(status, raw.decode(errors="replace"))


def wait_for(what: str, seconds: float, probe: Callable[[], Any]) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(2)
    pytest.fail(f"deployed stack: {what} did not happen within {seconds:.0f}s")


def query(deployment: Any, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(deployment.database_url, autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def register(deployment: Any, email: str) -> tuple[int, str]:
    created = call(deployment, "POST", "/api/auth/register", {"email": email, "password": PASSWORD, "name": "Smoke"})
    assert created.status == 201, f"register through the auth function: {created}"
    login = call(deployment, "POST", "/api/auth/login", {"email": email, "password": PASSWORD})
    assert login.status == 200, f"login through the auth function: {login}"
    return created.body["id"], login.body["access_token"]


def test_health_and_a_public_list(deployment: Any, poison_message_id: str) -> None:
    health = call(deployment, "GET", "/api/health")
    assert health.status == 200 and health.body["status"] == "ok", f"health: {health}"
    posts = call(deployment, "GET", "/api/posts")
    assert posts.status == 200 and isinstance(posts.body["items"], list), f"public list: {posts}"


def test_unknown_path_answers_404_detail(deployment: Any) -> None:
    reply = call(deployment, "GET", "/api/no-such-route")
    assert reply.status == 404, reply
    assert reply.body == {"detail": "Not Found"}, f"API Gateway's own 404 keeps the detail shape: {reply}"


def test_register_login_me(deployment: Any) -> None:
    email = f"smoke-{uuid.uuid4().hex[:8]}@example.com"
    user_id, token = register(deployment, email)
    me = call(deployment, "GET", "/api/auth/me", token=token)
    assert me.status == 200 and me.body["id"] == user_id and me.body["email"] == email, f"me: {me}"


def test_an_admin_write(deployment: Any) -> None:
    admin_id, _ = register(deployment, "admin@example.com")  # ADMIN_EMAILS, a template parameter
    query(deployment, "UPDATE users SET email_verified = true WHERE id = %s", admin_id)
    login = call(deployment, "POST", "/api/auth/login", {"email": "admin@example.com", "password": PASSWORD})
    tag = call(deployment, "POST", "/api/tags", {"name": "Deployed"}, token=login.body["access_token"])
    assert tag.status == 201 and tag.body["slug"] == "deployed", f"admin write: {tag}"


def test_a_task_reaches_the_worker(deployment: Any) -> None:
    user_id, _ = register(deployment, f"worker-{uuid.uuid4().hex[:8]}@example.com")  # queues its email
    processed = wait_for("the verification email task reaching the worker", WORKER_WAIT_SECONDS, lambda: query(
        deployment, "SELECT task_type FROM processed_tasks"))
    assert processed, "the worker recorded the task it processed"


def test_a_schedule_fires_and_is_recorded(deployment: Any, aws: Callable[[str], Any]) -> None:
    """The emulator fires rules on their expression; make one due every minute instead of daily."""
    function_name = deployment.resources["OutboxSweep"]
    function_arn = aws("lambda").get_function(FunctionName=function_name)["Configuration"]["FunctionArn"]
    rules = aws("events").list_rule_names_by_target(TargetArn=function_arn)["RuleNames"]
    assert rules, "the schedule's EventBridge rule targets its function"
    aws("events").put_rule(Name=rules[0], ScheduleExpression="rate(1 minute)", State="ENABLED")
    runs = wait_for("the outbox_sweep schedule firing", SCHEDULE_WAIT_SECONDS, lambda: query(
        deployment, "SELECT trigger, outcome FROM job_runs WHERE job = 'outbox_sweep' AND outcome <> 'running'"))
    assert runs[0] == ("schedule", "succeeded"), runs


def test_a_poison_message_is_dead_lettered(deployment: Any, aws: Callable[[str], Any], poison_message_id: str) -> None:
    sqs = aws("sqs")
    dlq = deployment.outputs["TasksDeadLetterQueueUrl"]

    def dead_lettered() -> bool:
        attributes = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
        return int(attributes["Attributes"]["ApproximateNumberOfMessages"]) > 0

    wait_for("the poison message reaching the dead-letter queue", DEAD_LETTER_WAIT_SECONDS, dead_lettered)
    message = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"][0]
    assert message["MessageId"] == poison_message_id
    assert int(message["Attributes"]["ApproximateReceiveCount"]) >= 5
