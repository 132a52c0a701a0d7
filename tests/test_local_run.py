"""``make run``'s program end to end: start, serve over real HTTP, persist data, stop cleanly."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _start(data_dir: Path, ports: dict[str, int], ignore_sigint: bool = False) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "AWS_ENDPOINT_URL", "JWT_SECRET", "ADMIN_EMAILS")}
    env.update({"LOCAL_DATA_DIR": str(data_dir), "PORT": str(ports["api"]), "LOCAL_PG_PORT": str(ports["pg"]),
                "LOCAL_REDIS_PORT": str(ports["redis"]), "LOCAL_AWS_PORT": str(ports["aws"])})
    ignore = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if ignore_sigint else None
    return subprocess.Popen([sys.executable, "-m", "infra.local.run"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=ignore)


def _wait_ready(proc: subprocess.Popen, port: int) -> list[str]:
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            raise AssertionError("run exited early:\n" + "".join(lines[-40:]))
        lines.append(line)
        if "local stack up in" in line:
            return lines
    raise AssertionError("not ready in time:\n" + "".join(lines[-40:]))


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)


def _call(method: str, url: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.load(reply)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def test_run_serves_persists_and_stops_every_child(tmp_path):
    ports = {"api": _free_port(), "pg": _free_port(), "redis": _free_port(), "aws": _free_port()}
    base = f"http://127.0.0.1:{ports['api']}/api"
    proc = _start(tmp_path, ports)
    try:
        lines = _wait_ready(proc, ports["api"])
        assert any("demo accounts" in line for line in lines)
        assert _call("GET", base + "/health")[1]["status"] == "ok"
        status, admin = _call("POST", base + "/auth/login",
                              {"email": "admin@example.com", "password": "demo-password-123"})
        assert status == 200 and admin["access_token"]
        status, _ = _call("POST", base + "/auth/register",
                          {"email": "persist@example.com", "password": "long enough pw", "name": "P"})
        assert status == 201
    finally:
        _stop(proc)
    for port in ports.values():
        assert not _listening(port), f"port {port} still open after Ctrl-C"

    pg_log = (tmp_path / "postgres.log").read_text()
    assert "database system is shut down" in pg_log  # a clean (fast) shutdown, not a kill

    proc = _start(tmp_path, ports)  # same data directory: the account is still there
    try:
        _wait_ready(proc, ports["api"])
        restarted_log = (tmp_path / "postgres.log").read_text()[len(pg_log):]
        assert "automatic recovery" not in restarted_log and "not properly shut down" not in restarted_log
        status, _ = _call("POST", base + "/auth/register",
                          {"email": "persist@example.com", "password": "long enough pw", "name": "P"})
        assert status == 409
    finally:
        _stop(proc)


def test_sigterm_stops_everything_when_sigint_is_ignored(tmp_path):
    # A stack started in the background by a non-interactive shell ignores SIGINT.
    ports = {"api": _free_port(), "pg": _free_port(), "redis": _free_port(), "aws": _free_port()}
    proc = _start(tmp_path, ports, ignore_sigint=True)
    try:
        _wait_ready(proc, ports["api"])
        proc.send_signal(signal.SIGINT)
        time.sleep(0.5)
        assert proc.poll() is None  # ignored, as asked
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=60)[0]
    assert proc.returncode == 0, output
    assert "Traceback" not in output
    for port in ports.values():
        assert not _listening(port), f"port {port} still open after SIGTERM"


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
