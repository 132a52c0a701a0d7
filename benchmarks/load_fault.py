"""Load and faults: 50 clients on a realistic mix, then Redis, PostgreSQL and the AWS emulator
each paused for a few seconds while the load goes on.

    python -m benchmarks.load_fault [--clients 50] [--seconds 60] [--pause 5]

Starts its own stack (``.local/bench-load``) and serves the API from ``infra.local.run`` in a
child process (with its scheduler and SQS poller), exactly as ``make run`` does. Every request goes
to 127.0.0.1. The mix: anonymous post list, post page and search; signed-in bookmarks and notes
(writes whose ids are kept); newsletter sign-ups (each must get exactly one confirmation email).
A dependency is paused with SIGSTOP (it hangs rather than refusing: the harder case) and resumed
with SIGCONT. At the end it prints requests/s, p50/p95/p99, answers by status per phase, and what
was lost: accepted notes missing from the database, sign-ups without exactly one confirmation.
"""
from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from infra.local.stack import Ports, Stack

ROOT = Path(__file__).resolve().parents[1]
API_PORT = 8797  # the API under load; the services take free ports


class Client:
    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            reply = self.conn.getresponse()
            raw = reply.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            return 0, None  # no answer at all
        try:
            return reply.status, json.loads(raw) if raw else None
        except ValueError:
            return reply.status, None


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.phase = "steady"
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)
        self.statuses: dict[str, collections.Counter[int]] = collections.defaultdict(collections.Counter)
        self.notes: list[tuple[str, int]] = []  # (content, id) of every 201
        self.signups: list[str] = []  # emails whose sign-up was accepted
        self.errors: collections.Counter[tuple[str, str, int]] = collections.Counter()

    def record(self, phase: str, started: float, status: int, kind: str) -> None:
        """``phase``: the one the request started in (a request held by a paused service counts there)."""
        with self.lock:
            self.latencies[phase].append((time.perf_counter() - started) * 1000)
            self.statuses[phase][status] += 1
            if status >= 500 or status == 0:
                self.errors[(phase, kind, status)] += 1


def _worker(port: int, token: str, post_slugs: list[str], post_ids: list[int], rec: Recorder,
            stop: threading.Event, n: int) -> None:
    client, rng, i = Client(port), random.Random(n), 0
    while not stop.is_set():
        i += 1
        roll, started, phase = rng.random(), time.perf_counter(), rec.phase
        if roll < 0.3:
            kind, (status, _) = "post list", client.call("GET", "/api/posts?page_size=20")
        elif roll < 0.55:
            kind, (status, _) = "post page", client.call("GET", f"/api/posts/{rng.choice(post_slugs)}")
        elif roll < 0.65:
            term = rng.choice(["postgres", "redis", "lambda", "pytest"])
            kind, (status, _) = "search", client.call("GET", f"/api/search?q={term}")
        elif roll < 0.75:
            post = rng.choice(post_ids)
            kind, (status, _) = "bookmark", client.call("POST", "/api/bookmarks", {"post_id": post}, token)
            client.call("DELETE", f"/api/bookmarks/{post}", token=token)
        elif roll < 0.92:
            content = f"note {n}-{i}"
            kind, (status, body) = "note", client.call("POST", "/api/notes", {"content": content}, token)
            if status == 201:
                with rec.lock:
                    rec.notes.append((content, body["id"]))
        else:
            email = f"load-{n}-{i}@example.com"
            kind, (status, _) = "sign-up", client.call("POST", "/api/newsletter/subscribe", {"email": email})
            if status in (200, 201, 202):
                with rec.lock:
                    rec.signups.append(email)
        rec.record(phase, started, status, kind)


def _sign_in(port: int, n: int) -> str:
    client = Client(port)
    email = f"loader{n}@example.com"
    client.call("POST", "/api/auth/register", {"email": email, "password": "load test password", "name": f"L{n}"})
    status, body = client.call("POST", "/api/auth/login", {"email": email, "password": "load test password"})
    if status != 200:
        raise SystemExit(f"could not sign in a load client: {status} {body}")
    return str(body["access_token"])


def _emails_by_recipient(aws_url: str) -> collections.Counter[str]:
    import email

    with urllib.request.urlopen(f"{aws_url}/moto-api/data.json", timeout=30) as reply:
        data = json.load(reply)
    counts: collections.Counter[str] = collections.Counter()
    for raw in data.get("ses", {}).get("RawMessage", []):
        counts[str(email.message_from_string(raw["raw_data"])["To"])] += 1
    return counts


def _percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return "-"
    q = statistics.quantiles(values, n=100)
    return f"p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, p99 {q[98]:.1f} ms"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--pause", type=float, default=5)
    args = parser.parse_args(argv)

    root = ROOT / ".local" / "bench-load"
    shutil.rmtree(root, ignore_errors=True)
    stack = Stack(root, ports=Ports(_free_port(), _free_port(), _free_port()), durable=False)
    env = stack.start()
    services = {service.name: service for service in stack.started}
    run_env = {**os.environ, **env, "PORT": str(API_PORT), "LOCAL_DATA_DIR": str(root / "run"),
               "RATE_LIMIT_ANON": "1000000/hour", "RATE_LIMIT_USER": "1000000/hour",
               "RATE_LIMIT_AUTH": "1000000/hour"}
    api = subprocess.Popen([sys.executable, "-m", "infra.local.run"], cwd=ROOT, env=run_env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_for(api)
        _run(args, services, env)
    finally:
        api.send_signal(signal.SIGINT)
        try:
            api.wait(30)
        except subprocess.TimeoutExpired:
            api.kill()
        stack.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(api: subprocess.Popen[str]) -> None:
    assert api.stdout is not None
    for line in api.stdout:
        if "local stack up in" in line:
            threading.Thread(target=lambda: [None for _ in api.stdout or []], daemon=True).start()
            return
    raise SystemExit("the API did not start")


def _run(args: argparse.Namespace, services: dict[str, Any], env: dict[str, str]) -> None:
    probe = Client(API_PORT)
    posts = probe.call("GET", "/api/posts?page_size=100")[1]["items"]
    slugs, ids = [p["slug"] for p in posts], [p["id"] for p in posts]
    tokens = [_sign_in(API_PORT, n) for n in range(args.clients)]
    rec, stop = Recorder(), threading.Event()
    threads = [threading.Thread(target=_worker, args=(API_PORT, tokens[n], slugs, ids, rec, stop, n), daemon=True)
               for n in range(args.clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(args.seconds)
    for name in ("redis", "postgres", "moto"):
        if name not in services:
            continue
        rec.phase = f"{name} paused"
        tree = _process_tree(services[name].proc.pid)
        _signal_all(tree, signal.SIGSTOP)
        time.sleep(args.pause)
        _signal_all(tree, signal.SIGCONT)
        rec.phase = f"after {name}"
        time.sleep(args.pause)
    stop.set()
    for thread in threads:
        thread.join(60)
    elapsed = time.monotonic() - began
    _settle(env)
    _report(rec, elapsed, env)


def _settle(env: dict[str, str], limit: float = 300) -> None:
    """Wait until the worker has sent every queued confirmation (the count stops changing)."""
    last, deadline = -1, time.monotonic() + limit
    while time.monotonic() < deadline:
        time.sleep(10)
        sent = sum(_emails_by_recipient(env["AWS_ENDPOINT_URL"]).values())
        if sent == last:
            return
        last = sent


def _process_tree(root: int) -> list[int]:
    """``root`` and its descendants: PostgreSQL's backends each run in a session of their own, so
    stopping the postmaster's process group would leave them answering."""
    children: dict[int, list[int]] = collections.defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[ppid].append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return tree


def _signal_all(pids: list[int], sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def _report(rec: Recorder, elapsed: float, env: dict[str, str]) -> None:
    import psycopg

    total = sum(sum(c.values()) for c in rec.statuses.values())
    print(f"{total} requests in {elapsed:.0f} s: {total / elapsed:.0f} requests/s")
    for phase, latencies in rec.latencies.items():
        statuses = ", ".join(f"{s or 'no answer'}: {n}" for s, n in sorted(rec.statuses[phase].items()))
        print(f"  {phase:<16} {len(latencies):>6} requests  {_percentiles(latencies)}  [{statuses}]")
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        stored = {r[0] for r in conn.execute("SELECT id FROM study_notes")}
    lost_notes = [note for note in rec.notes if note[1] not in stored]
    emails = _emails_by_recipient(env["AWS_ENDPOINT_URL"])
    unsent = [e for e in rec.signups if emails.get(e, 0) == 0]
    doubled = [e for e in rec.signups if emails.get(e, 0) > 1]
    for (phase, kind, status), count in sorted(rec.errors.items()):
        print(f"  {status or 'no answer'} x{count}: {kind} while {phase}")
    print(f"accepted notes: {len(rec.notes)}, missing from the database: {len(lost_notes)}")
    print(f"accepted sign-ups: {len(rec.signups)}, confirmations missing: {len(unsent)}, sent twice: {len(doubled)}")


if __name__ == "__main__":
    main()
