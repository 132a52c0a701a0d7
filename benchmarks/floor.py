"""The request path against its floor: ``python -m benchmarks.floor [--iterations 2000] [--quick]``.

For each endpoint (the post page, the post list of 20, the bookmarks of a signed-in reader, hybrid
search) the app is called in-process through ``chalice.test.Client`` (gateway event, middleware,
routing, the Redis gate, validation, the handler, serialisation, the access log) and, interleaved
with it, the same SQL is run on one plain psycopg connection (autocommit, dict rows, psycopg's
default statement preparation). "The same SQL" is recorded from the app itself: one request per
endpoint runs with ``Cursor.execute`` wrapped, and its statements and parameters (the sign-in
lookup included) are replayed as they were. The table shows p50/p95 of both and the ratio of the
medians; targets: at most 1.5 for the post page, 2.0 for the lists.

``--profile ENDPOINT`` prints where the app's time goes for that endpoint (cProfile, by own
time, or ``FLOOR_PROFILE_SORT=cumulative``), to explain a missed target. Starts its own
throwaway stack under ``.local/bench-floor``.
"""
from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"GET /api/posts/{slug}": 1.5, "GET /api/posts (20)": 2.0, "GET /api/bookmarks (20)": 2.0,
           "GET /api/search/hybrid (20)": 2.0}
POSTS = 40
WARMUP = 50
WORDS = ("index", "query", "planner", "vacuum", "cache", "replica", "latency", "schema", "lambda",
         "queue", "token", "bread", "garden", "flour", "seed", "python", "vector", "search")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000, help="timed calls per endpoint and side")
    parser.add_argument("--quick", action="store_true", help="200 iterations")
    parser.add_argument("--profile", metavar="ENDPOINT", help="profile the app on this endpoint (prefix)")
    parser.add_argument("--show-sql", action="store_true", help="print the statements each endpoint runs")
    args = parser.parse_args(argv)
    from infra.local.stack import Ports, Stack

    os.environ.update({"ADMIN_EMAILS": "admin@example.com", "RATE_LIMIT_ANON": "100000000/hour",
                       "RATE_LIMIT_USER": "100000000/hour", "RATE_LIMIT_AUTH": "100000000/hour",
                       "EMBEDDINGS_PROVIDER": "hash"})
    os.environ.pop("ROUTER", None)
    root = ROOT / ".local" / "bench-floor"
    shutil.rmtree(root / "postgres", ignore_errors=True)  # throwaway data: seeded afresh each run
    stack = Stack(root, ports=Ports(54447, 63947, 45747), durable=False)
    env = stack.start()
    try:
        from chalice.test import Client

        from app import app

        with Client(app, project_dir=str(ROOT / "benchmarks")) as client:
            endpoints = seed(client, app)
            _quiet_access_log()
            if args.profile:
                profile(client, endpoints, args.profile, 200 if args.quick else args.iterations)
            else:
                rows = run(client, endpoints, env["DATABASE_URL"], 200 if args.quick else args.iterations,
                           args.show_sql)
                print_table(rows)
    finally:
        from layers.core import db

        db.close_pool()
        stack.stop()


# --- seeding -------------------------------------------------------------------------------------

def _call(client: Any, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    reply = client.http.request(method=method, path=path, headers=headers,
                                body=json.dumps(body) if body is not None else b"")
    if reply.status_code >= 400:
        raise RuntimeError(f"{method} {path}: {reply.status_code} {reply.body!r}")
    return json.loads(reply.body) if reply.body else None


def _account(client: Any, email: str, verified: bool) -> str:
    from layers.core.db import connection

    account = {"email": email, "password": "floor-benchmark-password-1"}
    _call(client, "POST", "/api/auth/register", {**account, "name": email.split("@")[0]})
    if verified:
        with connection() as conn:
            conn.execute("UPDATE users SET email_verified = true WHERE email = %s", (email,))
            conn.commit()
    token: str = _call(client, "POST", "/api/auth/login", account)["access_token"]
    return token


def seed(client: Any, app: Any) -> dict[str, tuple[str, str | None]]:
    """Published posts (chunked and embedded), a reader with 20 bookmarks; the endpoints to call."""
    from infra.local.poller import poll_once, sqs_sources

    admin = _account(client, "admin@example.com", verified=True)
    reader = _account(client, "reader@example.com", verified=True)
    ids, slug = [], ""
    for n in range(POSTS):
        words = " ".join(WORDS[(n * 7 + i) % len(WORDS)] for i in range(60))
        content = f"Intro about {WORDS[n % len(WORDS)]}.\n\n## Part one\n\n{words}\n\n## Part two\n\n{words[::-1]}\n"
        post = _call(client, "POST", "/api/posts", {"title": f"Notes on {WORDS[n % len(WORDS)]} {n}",
                                                     "content": content, "excerpt": f"About {n}.",
                                                     "status": "published"}, token=admin)
        ids.append(post["id"])
        slug = slug or post["slug"]
    for post_id in ids[:20]:
        _call(client, "POST", "/api/bookmarks", {"post_id": post_id}, token=reader)
    while sum(sum(poll_once(app, source)) for source in sqs_sources(app)):
        pass  # chunking and embedding tasks
    return {"GET /api/posts/{slug}": (f"/api/posts/{slug}", None),
            "GET /api/posts (20)": ("/api/posts?page_size=20", None),
            "GET /api/bookmarks (20)": ("/api/bookmarks?page_size=20", reader),
            "GET /api/search/hybrid (20)": ("/api/search/hybrid?q=query%20planner%20cache&page_size=20", None)}


def _quiet_access_log() -> None:
    # The access log stays on (it is part of every request's cost), written to nowhere.
    sink = open(os.devnull, "w")  # lives as long as the process
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(sink)


# --- measuring -----------------------------------------------------------------------------------

def _request(client: Any, path: str, token: str | None) -> Callable[[], None]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    def call() -> None:
        reply = client.http.request(method="GET", path=path, headers=headers)
        if reply.status_code != 200:
            raise RuntimeError(f"GET {path}: {reply.status_code} {reply.body!r}")

    return call


def record_sql(call: Callable[[], None]) -> list[tuple[Any, Any, dict[str, Any]]]:
    """The statements one call of the app runs, with their parameters, in order."""
    import psycopg

    recorded: list[tuple[Any, Any, dict[str, Any]]] = []
    original = psycopg.Cursor.execute

    def execute(self: Any, query: Any, params: Any = None, **kwargs: Any) -> Any:
        recorded.append((query, params, kwargs))
        return original(self, query, params, **kwargs)

    psycopg.Cursor.execute = execute  # type: ignore[method-assign]
    try:
        call()
    finally:
        psycopg.Cursor.execute = original  # type: ignore[method-assign]
    return recorded


def _replay(conn: Any, statements: list[tuple[Any, Any, dict[str, Any]]]) -> Callable[[], None]:
    def call() -> None:
        for query, params, kwargs in statements:
            cursor = conn.execute(query, params, **kwargs)
            if cursor.description is not None:
                cursor.fetchall()

    return call


def _timed(call: Callable[[], None]) -> float:
    began = time.perf_counter()
    call()
    return (time.perf_counter() - began) * 1000


def run(client: Any, endpoints: dict[str, tuple[str, str | None]], url: str,
        iterations: int, show_sql: bool = False) -> list[dict[str, Any]]:
    import psycopg
    from pgvector.psycopg import register_vector
    from psycopg.rows import dict_row

    rows = []
    with psycopg.connect(url, autocommit=True, row_factory=dict_row, options="-c timezone=UTC") as conn:
        register_vector(conn)
        for name, (path, token) in endpoints.items():
            app_call = _request(client, path, token)
            statements = record_sql(app_call)
            sql_call = _replay(conn, statements)
            if show_sql:
                print(name)
                for query, _params, _kwargs in statements:
                    text = query if isinstance(query, str) else query.as_string(conn)
                    print("   ", " ".join(text.split())[:160])
            for _ in range(WARMUP):
                app_call()
                sql_call()
            app_ms, sql_ms = [], []
            gc.collect()
            for i in range(iterations):  # interleaved, taking turns to go first: load falls on both alike
                if i % 2:
                    app_ms.append(_timed(app_call))
                    sql_ms.append(_timed(sql_call))
                else:
                    sql_ms.append(_timed(sql_call))
                    app_ms.append(_timed(app_call))
            rows.append({"name": name, "statements": len(statements), "app": _percentiles(app_ms),
                         "sql": _percentiles(sql_ms), **breakdown(app_call, max(50, iterations // 4))})
    return rows


def breakdown(call: Callable[[], None], iterations: int) -> dict[str, float]:
    """Medians of where one app call spends its time: its statements (``Cursor.execute``, which
    returns once every row has arrived), the Redis gate, the app's own Python (the Lambda entry
    point ``Chalice.__call__`` minus those two: middleware, routing, validation, the handler's
    code, serialisation, the access log) and the test harness (``chalice.test``'s local gateway
    building the event and matching the route, which API Gateway does when deployed)."""
    import psycopg
    from chalice.app import Chalice

    from layers.http import ratelimit

    spent = {"sql": 0.0, "redis": 0.0, "app": 0.0}
    originals = (psycopg.Cursor.execute, ratelimit.gate, Chalice.__call__)

    def timer(key: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[key] += time.perf_counter() - began

        return timed

    psycopg.Cursor.execute = timer("sql", originals[0])  # type: ignore[method-assign]
    ratelimit.gate = timer("redis", originals[1])
    Chalice.__call__ = timer("app", originals[2])  # type: ignore[method-assign]
    parts: dict[str, list[float]] = {"in_sql": [], "in_redis": [], "in_python": [], "in_harness": []}
    try:
        for _ in range(iterations):
            spent.update(sql=0.0, redis=0.0, app=0.0)
            total = _timed(call) / 1000
            parts["in_sql"].append(spent["sql"] * 1000)
            parts["in_redis"].append(spent["redis"] * 1000)
            parts["in_python"].append((spent["app"] - spent["sql"] - spent["redis"]) * 1000)
            parts["in_harness"].append((total - spent["app"]) * 1000)
    finally:
        psycopg.Cursor.execute, ratelimit.gate, Chalice.__call__ = originals  # type: ignore[method-assign]
    return {key: statistics.median(values) for key, values in parts.items()}


def _percentiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=20)
    return statistics.median(values), cuts[18]


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'endpoint':<28} {'stmts':>5} {'app p50':>8} {'app p95':>8} {'SQL p50':>8} {'SQL p95':>8} "
          f"{'app/SQL':>8} {'target':>7}  | app p50 in: {'SQL':>6} {'Redis':>6} {'Python':>6} {'harness':>7}   (ms)")
    for r in rows:
        ratio = r["app"][0] / r["sql"][0]
        target = TARGETS.get(r["name"], 2.0)
        flag = "" if ratio <= target else " x"
        print(f"{r['name']:<28} {r['statements']:>5} {r['app'][0]:>8.2f} {r['app'][1]:>8.2f} "
              f"{r['sql'][0]:>8.2f} {r['sql'][1]:>8.2f} {ratio:>8.2f} {target:>5.1f}{flag or '  '}  |"
              f" {'':>11} {r['in_sql']:>6.2f} {r['in_redis']:>6.2f} {r['in_python']:>6.2f} {r['in_harness']:>7.2f}")
    print("x: target missed. The breakdown is a separate pass with timers around each statement, "
          "the Redis gate and the Lambda entry point (harness: chalice.test's local gateway).")


def profile(client: Any, endpoints: dict[str, tuple[str, str | None]], prefix: str, iterations: int) -> None:
    import cProfile
    import pstats

    name = next(n for n in endpoints if n.startswith(prefix))
    call = _request(client, *endpoints[name])
    for _ in range(WARMUP):
        call()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(iterations):
        call()
    profiler.disable()
    sort = os.environ.get("FLOOR_PROFILE_SORT", "tottime")
    print(f"{name}: {iterations} calls, by {sort}")
    pstats.Stats(profiler).sort_stats(sort).print_stats(40)


if __name__ == "__main__":
    main()
