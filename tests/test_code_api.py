"""POST /api/code/execute through the app: contract shape, auth, validation, limits, busy runners."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from layers import bootstrap
from layers.adapters.sandbox import Limits, WasmSandbox
from layers.adapters.sandbox.runtime import default_cache_dir
from layers.core.errors import DependencyUnavailable
from layers.schemas.code import MAX_CODE_CHARS

URL = "/api/code/execute"
FIELDS = {"stdout", "stderr", "exit_code", "duration_ms", "timed_out", "truncated"}


def tight(tmp_path: Path, timeout_s: float = 1.0, output_bytes: int = 64 * 1024, concurrency: int = 2) -> WasmSandbox:
    limits = Limits(timeout_s=timeout_s, memory_bytes=64 << 20, output_bytes=output_bytes, concurrency=concurrency)
    box = WasmSandbox(limits, default_cache_dir(), tmp_path)
    box.warm()
    return box


@pytest.fixture
def alice(users):
    return users.create()


def test_runs_code_with_stdin_through_the_real_sandbox(api, alice):
    reply = api.post(URL, {"code": "name = input()\nprint(f'hello {name}')\nraise SystemExit(2)",
                           "stdin": "ada\n"}, token=alice.token)
    assert reply.status == 200, reply.text
    body = reply.json
    assert set(body) == FIELDS
    assert body["stdout"] == "hello ada\n" and body["stderr"] == ""
    assert body["exit_code"] == 2 and body["timed_out"] is False and body["truncated"] is False
    assert isinstance(body["duration_ms"], int) and body["duration_ms"] >= 0


def test_errors_are_the_programs_not_the_apis(api, alice):
    reply = api.post(URL, {"code": "import socket\nsocket.create_connection(('127.0.0.1', 9))"},
                     token=alice.token)
    assert reply.status == 200
    assert reply.json["exit_code"] == 1 and "Traceback" in reply.json["stderr"]


def test_signed_in_callers_only(api):
    reply = api.post(URL, {"code": "print(1)"})
    assert reply.status == 401 and reply.header("WWW-Authenticate") == "Bearer"


@pytest.mark.parametrize("body", [
    {"code": "x" * (MAX_CODE_CHARS + 1)},
    {"code": ""},
    {"code": "print(1)\x00"},
    {"code": "print(1)", "stdin": 5},
    {"code": "print(1)", "extra": True},
    {},
])
def test_bad_bodies_are_422(api, alice, body):
    reply = api.post(URL, body, token=alice.token)
    assert reply.status == 422, reply.text
    assert all(item["loc"][0] == "body" for item in reply.json["detail"])


def test_a_blocking_call_answers_within_the_deadline(api, alice, tmp_path):
    with bootstrap.override(sandbox=tight(tmp_path)):
        started = time.monotonic()
        reply = api.post(URL, {"code": "print('before', flush=True)\nimport time\ntime.sleep(10**6)"},
                         token=alice.token)
        elapsed = time.monotonic() - started
    assert reply.status == 200
    body = reply.json
    assert body["timed_out"] is True and body["exit_code"] == 137
    assert body["stdout"] == "before\n" and "time limit exceeded" in body["stderr"]
    assert elapsed < 1.0 + 3.0  # deadline + a generous margin: a bound, not a benchmark


def test_a_busy_loop_times_out(api, alice, tmp_path):
    with bootstrap.override(sandbox=tight(tmp_path)):
        reply = api.post(URL, {"code": "while True: pass"}, token=alice.token)
    assert reply.json["timed_out"] is True and reply.json["duration_ms"] >= 1000


def test_output_past_the_cap_is_cut(api, alice, tmp_path):
    with bootstrap.override(sandbox=tight(tmp_path, output_bytes=1024)):
        reply = api.post(URL, {"code": "print('é' * 5000)"}, token=alice.token)
    body = reply.json
    assert body["truncated"] is True and body["exit_code"] == 0
    assert len(body["stdout"].encode()) <= 1024 + 2  # a split last character decodes as U+FFFD


@pytest.fixture
def one_runner(tmp_path: Path) -> Iterator[WasmSandbox]:
    box = tight(tmp_path, timeout_s=3.0, concurrency=1)
    with bootstrap.override(sandbox=box):
        yield box


def test_beyond_the_concurrency_bound_answers_503_with_retry_after(api, alice, one_runner):
    sleeper = threading.Thread(target=one_runner.run, args=("import time\ntime.sleep(10**6)",))
    sleeper.start()
    try:
        _wait_until_busy(one_runner)
        reply = api.post(URL, {"code": "print(1)"}, token=alice.token)
        assert reply.status == 503, reply.text
        assert reply.header("Retry-After") == "3" and "busy" in reply.json["detail"]
    finally:
        sleeper.join()
    assert api.post(URL, {"code": "print(1)"}, token=alice.token).json["stdout"] == "1\n"


def _wait_until_busy(box: WasmSandbox) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            box.run("pass")
        except DependencyUnavailable:
            return
    raise AssertionError("the sleeping run never took the only runner")


def test_the_code_group_is_rate_limited(api, alice, settings_env):
    settings_env(RATE_LIMIT_CODE="2/minute")
    statuses = [api.post(URL, {"code": "print(1)"}, token=alice.token).status for _ in range(3)]
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_code_function_is_deployed_apart_with_an_auth_only_role(app, stage):
    import json

    from infra.build import template
    from layers.http.routing import ROUTES

    config = json.loads((Path(__file__).resolve().parents[1] / ".chalice" / "config.json").read_text())
    resources = template.build(app, ROUTES, config, stage)["Resources"]
    function = resources[f"{template.resource_name('code')}Router"]["Properties"]
    assert function["Environment"]["Variables"]["ROUTER"] == "code"
    assert function["ReservedConcurrentExecutions"] > 0
    assert function["Role"] == {"Fn::GetAtt": [template.AUTH_ONLY_ROLE, "Arn"]}
    statements = resources[template.AUTH_ONLY_ROLE]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    actions = {action for statement in statements for action in statement["Action"]}
    assert actions == {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "ssm:GetParametersByPath"}
    others = [r["Properties"]["Role"] for k, r in resources.items()
              if k.endswith("Router") and r.get("Type") == "AWS::Serverless::Function" and k != "CodeRouter"]
    assert others and all(role == {"Fn::GetAtt": ["DefaultRole", "Arn"]} for role in others)


def test_the_local_server_runs_code_too(live_server, alice):
    """``make run`` serves the route from a threaded server: each run forks from it."""
    import json
    import urllib.request

    request = urllib.request.Request(f"{live_server}{URL}", data=json.dumps({"code": "print(2 ** 10)"}).encode(),
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {alice.token}"}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as reply:
        assert reply.status == 200
        assert json.loads(reply.read())["stdout"] == "1024\n"


def test_the_handler_hands_code_and_stdin_to_the_port(api, alice):
    from layers.adapters.sandbox.fake import FakeSandbox

    fake = FakeSandbox()
    with bootstrap.override(sandbox=fake):
        reply = api.post(URL, {"code": "print(input())", "stdin": "line\n"}, token=alice.token)
    assert reply.status == 200 and fake.calls == [("print(input())", "line\n")]
