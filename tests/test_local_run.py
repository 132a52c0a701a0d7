"""``make run``'s program end to end: start, serve over real HTTP, persist data, stop cleanly.

Each run is a ``Program``: whatever it started is killed when the test ends, even on a timeout or
a failed assertion, so a broken shutdown shows as a failure here and not as services left behind.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import time
import urllib.request
from pathlib import Path

from tests.support.processes import Program

ROOT = Path(__file__).resolve().parents[1]
READY_SECONDS = 180
STOP_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _run(data_dir: Path, ports: dict[str, int], sigint_ignored: bool = False) -> Program:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "AWS_ENDPOINT_URL", "JWT_SECRET", "ADMIN_EMAILS")
           and not k.startswith("RATE_LIMIT_")}
    env.update({"LOCAL_DATA_DIR": str(data_dir), "PORT": str(ports["api"]), "LOCAL_PG_PORT": str(ports["pg"]),
                "LOCAL_REDIS_PORT": str(ports["redis"]), "LOCAL_AWS_PORT": str(ports["aws"])})
    return Program(["-m", "infra.local.run"], env, ROOT, sigint_ignored=sigint_ignored)


def _free_ports() -> dict[str, int]:
    return {"api": _free_port(), "pg": _free_port(), "redis": _free_port(), "aws": _free_port()}


def _assert_all_stopped(run: Program, ports: dict[str, int]) -> None:
    assert run.proc.returncode == 0, run.output[-4000:]
    assert "Traceback" not in run.output, run.output[-4000:]
    assert run.seen, "no child process was ever seen"
    assert not run.survivors(), f"still running: {[p.pid for p in run.survivors()]}"
    for port in ports.values():
        assert not _listening(port), f"port {port} still open"


def _call(method: str, url: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.load(reply)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def test_run_serves_persists_and_stops_every_child(tmp_path):
    ports = _free_ports()
    base = f"http://127.0.0.1:{ports['api']}/api"
    with _run(tmp_path, ports) as run:
        output = run.read_until("local stack up in", READY_SECONDS)
        assert "demo accounts" in output
        assert "rate limits: anon 1000/hour, user 5000/hour, auth 100/minute" in output
        assert _call("GET", base + "/health")[1]["status"] == "ok"
        status, admin = _call("POST", base + "/auth/login",
                              {"email": "admin@example.com", "password": "demo-password-123"})
        assert status == 200 and admin["access_token"]
        status, _ = _call("POST", base + "/auth/register",
                          {"email": "persist@example.com", "password": "long enough pw", "name": "P"})
        assert status == 201
        run.stop(signal.SIGINT, STOP_SECONDS)
        _assert_all_stopped(run, ports)

    pg_log = (tmp_path / "postgres.log").read_text()
    assert "database system is shut down" in pg_log  # a clean (fast) shutdown, not a kill

    with _run(tmp_path, ports) as run:  # same data directory: the account is still there
        run.read_until("local stack up in", READY_SECONDS)
        restarted_log = (tmp_path / "postgres.log").read_text()[len(pg_log):]
        assert "automatic recovery" not in restarted_log and "not properly shut down" not in restarted_log
        status, _ = _call("POST", base + "/auth/register",
                          {"email": "persist@example.com", "password": "long enough pw", "name": "P"})
        assert status == 409
        run.stop(signal.SIGINT, STOP_SECONDS)


def test_sigint_stops_everything_when_it_was_inherited_as_ignored(tmp_path):
    # A shell or CI runner starting the stack in the background hands it SIGINT ignored.
    ports = _free_ports()
    with _run(tmp_path, ports, sigint_ignored=True) as run:
        run.read_until("local stack up in", READY_SECONDS)
        run.stop(signal.SIGINT, STOP_SECONDS)
        _assert_all_stopped(run, ports)
    assert "stopped in" in run.output


def test_sigterm_stops_everything_when_nobody_reads_the_output_any_more(tmp_path):
    # The reader of its output is gone (a pipeline's reader exited, a terminal closed): every
    # message of the shutdown fails to write, and the services must be stopped all the same.
    ports = _free_ports()
    with _run(tmp_path, ports, sigint_ignored=True) as run:
        run.read_until("local stack up in", READY_SECONDS)
        run.close_output()
        run.stop(signal.SIGTERM, STOP_SECONDS)
        _assert_all_stopped(run, ports)
    assert "database system is shut down" in (tmp_path / "postgres.log").read_text()


def test_services_named_by_the_environment_are_used_instead_of_started(stack, tmp_path, monkeypatch):
    from infra.local.stack import Ports, Stack

    for name in ("DATABASE_URL", "REDIS_URL", "AWS_ENDPOINT_URL"):
        monkeypatch.setenv(name, stack[name])
    unused = Ports(postgres=_free_port(), redis=_free_port(), aws=_free_port())
    external = Stack(tmp_path, ports=unused)
    env = external.start()
    try:
        assert external.started == []
        assert {env[k] for k in ("DATABASE_URL", "REDIS_URL", "AWS_ENDPOINT_URL")} == {
            stack["DATABASE_URL"], stack["REDIS_URL"], stack["AWS_ENDPOINT_URL"]}
        assert not any(_listening(port) for port in (unused.postgres, unused.redis, unused.aws))
    finally:
        external.stop()


def test_a_taken_port_is_refused_in_one_line_naming_its_variable(tmp_path):
    ports = _free_ports()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", ports["redis"]))
        holder.listen()
        with _run(tmp_path, ports) as run:
            output = run.wait_exit(READY_SECONDS)
        assert run.proc.returncode == 1
        assert f"port {ports['redis']} for redis is taken by another program; set LOCAL_REDIS_PORT to another port" \
            in output.splitlines()
        assert "Traceback" not in output and not run.survivors()
