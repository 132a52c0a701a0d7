"""Throughput of the durable task pipeline on the local stack: outbox, relay, SQS, worker.

    python -m benchmarks.tasks_throughput [--tasks 10000] [--producers 4] [--workers 4] [--per-commit 1]

Producers play requests: each commits ``--per-commit`` ``noop`` tasks in one transaction and
relays them right after the commit, as the route decorator does. Workers play the Lambda event
source mapping: each polls the queue and runs the app's SQS handler on batches of up to 10
(``infra.local.poller.poll_once``). The benchmark starts its own stack (PostgreSQL, Redis, moto)
under ``.local/bench-tasks`` on its own ports (``BENCH_PG_PORT``, ``BENCH_REDIS_PORT``,
``BENCH_AWS_PORT``), never a service named by the environment, since it empties the task tables.

End-to-end latency is per task, from the enqueuing transaction's start to the worker's claim of
the task id (both PostgreSQL timestamps, so one clock).
"""
from __future__ import annotations

import argparse
import os
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--producers", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--per-commit", type=int, default=1, help="tasks per producer transaction")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the queue to drain")
    return parser.parse_args(argv)


def start_stack(pool_size: int) -> Any:
    from infra.local.stack import Ports, Stack

    for name in ("DATABASE_URL", "REDIS_URL", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)  # always our own services: the run empties the task tables
    os.environ["DB_POOL_MAX"] = str(pool_size)
    os.environ.setdefault("XDG_RUNTIME_DIR", f"/tmp/blog-runtime-{os.getuid()}")
    os.makedirs(os.environ["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
    ports = Ports(postgres=int(os.environ.get("BENCH_PG_PORT", "54391")),
                  redis=int(os.environ.get("BENCH_REDIS_PORT", "63891")),
                  aws=int(os.environ.get("BENCH_AWS_PORT", "45691")))
    stack = Stack(ROOT / ".local" / "bench-tasks", ports=ports, durable=False)
    stack.start()
    return stack


def reset_tables() -> None:
    from layers.core import db

    with db.connection() as conn:
        conn.execute("TRUNCATE task_outbox, processed_tasks")
        conn.commit()


def produce(count: int, per_commit: int) -> None:
    from layers.core import db
    from layers.tasks import outbox, relay

    done = 0
    while done < count:
        batch = min(per_commit, count - done)
        with db.connection() as conn:
            for _ in range(batch):
                outbox.enqueue(conn, "noop", {})
            conn.commit()
        relay.flush_pending()
        done += batch


def consume(app: Any, stop: threading.Event) -> None:
    from infra.local.poller import poll_once, sqs_sources

    [source] = sqs_sources(app)
    while not stop.is_set():
        try:
            poll_once(app, source, wait_seconds=1)
        except Exception as exc:  # noqa: BLE001 - keep polling, like the event source mapping
            print(f"poll failed: {type(exc).__name__}", flush=True)
            stop.wait(0.5)


def processed() -> int:
    from layers.core import db

    with db.connection() as conn:
        return conn.execute("SELECT count(*) AS n FROM processed_tasks").fetchone()["n"]


def latencies_ms() -> list[float]:
    from layers.core import db

    with db.connection() as conn:
        rows = conn.execute(
            "SELECT extract(epoch FROM p.processed_at - o.created_at) * 1000 AS ms"
            " FROM processed_tasks p JOIN task_outbox o ON o.id = p.task_id ORDER BY ms").fetchall()
    return [float(r["ms"]) for r in rows]


def percentile(sorted_values: list[float], pct: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def run(args: argparse.Namespace) -> dict[str, Any]:
    from app import app
    from layers.tasks import relay

    reset_tables()
    stop = threading.Event()
    workers = [threading.Thread(target=consume, args=(app, stop), daemon=True) for _ in range(args.workers)]
    for worker in workers:
        worker.start()
    shares = [args.tasks // args.producers + (i < args.tasks % args.producers) for i in range(args.producers)]
    producers = [threading.Thread(target=produce, args=(n, args.per_commit)) for n in shares]
    began = time.perf_counter()
    for producer in producers:
        producer.start()
    for producer in producers:
        producer.join()
    produced = time.perf_counter() - began
    swept = relay.sweep()["sent"]  # anything the post-commit relay could not send
    deadline = time.monotonic() + args.timeout
    while (done := processed()) < args.tasks and time.monotonic() < deadline:
        time.sleep(0.05)
    elapsed = time.perf_counter() - began
    stop.set()
    for worker in workers:
        worker.join(5)
    latencies = latencies_ms()
    return {"done": done, "elapsed": elapsed, "produced": produced, "swept": swept, "latencies": latencies}


def report(args: argparse.Namespace, result: dict[str, Any]) -> None:
    lat = result["latencies"]
    print(f"tasks: {result['done']}/{args.tasks} (producers {args.producers}, workers {args.workers}, "
          f"{args.per_commit} per commit; swept after relay: {result['swept']})")
    print(f"enqueue+relay: {result['produced']:.1f} s ({args.tasks / result['produced']:.0f} tasks/s)")
    print(f"end to end:    {result['elapsed']:.1f} s ({result['done'] / result['elapsed']:.0f} tasks/s)")
    if lat:
        print(f"latency ms:    p50 {percentile(lat, 50):.0f}  p95 {percentile(lat, 95):.0f}  "
              f"max {lat[-1]:.0f}")


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if min(args.tasks, args.producers, args.workers, args.per_commit) < 1:
        raise SystemExit("--tasks, --producers, --workers and --per-commit must be at least 1")
    stack = start_stack(pool_size=args.producers + args.workers + 2)
    try:
        print(f"local stack up in {stack.env['STACK_STARTUP_SECONDS']} s", flush=True)
        report(args, run(args))
    finally:
        from layers.core import db

        db.close_pool()
        stack.stop()


if __name__ == "__main__":
    main()
