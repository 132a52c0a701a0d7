"""Cold start per router function against the whole app: ``python -m benchmarks.cold_start``.

A Lambda function starts a fresh interpreter, imports ``app`` with ``ROUTER=<name>`` (only that
router's module is registered) and answers its first API Gateway event. This measures exactly
that, per router, in a fresh ``python -I`` subprocess (the repository on ``sys.path``, as the
package directory is on Lambda): the import of ``app``, then the first request (a GET of the
router's, signed in as an admin, handed to ``app(event, context)`` as the Lambda runtime does).
Beside it, interleaved, the floor: a bare handler in a fresh interpreter that imports only psycopg,
connects and runs the same statements (recorded from the app answering that request) and returns
their rows as JSON. The table shows medians and the router's ratio to the floor (target: at most
2x), the whole app's (every router, no ``ROUTER``) for reference, and which heavy packages the
import alone pulled in (none should: they load on first use).

    python -m benchmarks.cold_start [--runs 3] [--quick] [--router posts ...]

Starts its own throwaway stack under ``.local/bench-cold-start``.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("boto3", "botocore", "psycopg", "redis", "stripe", "onnxruntime", "numpy", "wasmtime", "fsrs")
TARGET = 2.0  # a router's cold start over the bare psycopg handler's
BARE = """
import base64, json, pickle, sys, time
t0, c0 = time.perf_counter(), time.process_time()
import psycopg
t1 = time.perf_counter()
statements = pickle.loads(base64.b64decode(sys.argv[1]))

def handler(event, context):
    with psycopg.connect(event["url"], autocommit=True) as conn:
        rows = []
        for query, params in statements:
            cursor = conn.execute(query, params)
            if cursor.description is not None:
                rows.append(cursor.fetchall())
    return {{"statusCode": 200, "body": json.dumps(rows, default=str)}}

reply = handler({{"url": sys.argv[2]}}, None)
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({{"import": (t1 - t0) * 1000, "first": (t2 - t1) * 1000, "cpu": (c2 - c0) * 1000,
                  "status": reply["statusCode"], "heavy": []}}))
"""
PROBE = """
import json, sys, time
sys.path.insert(0, {root!r})
t0, c0 = time.perf_counter(), time.process_time()
from app import app
t1, c1 = time.perf_counter(), time.process_time()
heavy = [m for m in {heavy!r} if m in sys.modules]
class Context:
    aws_request_id = "cold-start"
    function_name = "bench"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:bench"
    log_group_name = log_stream_name = "bench"
    def get_remaining_time_in_millis(self):
        return 30000
reply = app(json.loads(sys.argv[1]), Context())
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({{"import": (t1 - t0) * 1000, "first": (t2 - t1) * 1000, "cpu": (c2 - c0) * 1000,
                  "status": reply["statusCode"], "heavy": heavy}}))
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="fresh interpreters per router and for the whole app")
    parser.add_argument("--quick", action="store_true", help="one run each")
    parser.add_argument("--router", action="append", help="only these routers (repeatable)")
    args = parser.parse_args(argv)
    from infra.local.stack import Ports, Stack

    os.environ.update({"ADMIN_EMAILS": "admin@example.com", "RATE_LIMIT_ANON": "100000000/hour",
                       "RATE_LIMIT_USER": "100000000/hour", "RATE_LIMIT_AUTH": "100000000/hour"})
    os.environ.pop("ROUTER", None)
    ports = Ports(*(int(os.environ.get(f"BENCH_{name}_PORT", default))
                    for name, default in (("PG", 54416), ("REDIS", 63916), ("AWS", 45716))))
    stack = Stack(ROOT / ".local" / "bench-cold-start", ports=ports, durable=False)
    env = stack.start()
    try:
        token = _admin_token()
        from layers.core import db

        db.close_pool()
        rows = run(env, token, 1 if args.quick else args.runs, args.router)
    finally:
        stack.stop()
    print_table(rows)


def _admin_token() -> str:
    from chalice.test import Client

    from app import app
    from layers.core.db import connection

    with Client(app, project_dir=str(ROOT / "benchmarks")) as client:
        account = {"email": "admin@example.com", "password": "cold-start-password-1"}
        headers = {"Content-Type": "application/json"}
        client.http.post("/api/auth/register", headers=headers, body=json.dumps({**account, "name": "Admin"}))
        with connection() as conn:
            conn.execute("UPDATE users SET email_verified = true WHERE email = 'admin@example.com'")
            conn.commit()
        reply = client.http.post("/api/auth/login", headers=headers, body=json.dumps(account))
        token: str = json.loads(reply.body)["access_token"]
        return token


def first_request(router: str) -> tuple[str, str, str] | None:
    """The request to answer first: a GET that reaches its handler without made-up input (no
    required query field, no path parameter) if the router has one, public before signed-in;
    for a router without GETs, its first route (refused at validation, an empty body)."""
    from layers.http.routing import ROUTES

    order = {"public": 0, "user": 1, "admin": 2, "stripe": 3}
    gets = [r for r in ROUTES if r.router == router and r.auth in order]
    if not gets:
        return None

    def needs_query(spec: Any) -> bool:
        return spec.query is not None and any(f.is_required() for f in spec.query.model_fields.values())

    spec = min(gets, key=lambda r: (r.method != "GET", needs_query(r), bool(r.path_params), order[r.auth]))
    path = spec.path
    for name, typ in spec.path_params.items():
        path = path.replace("{" + name + "}", "1" if typ is int else "x")
    return spec.method, spec.path, path


def _event(method: str, resource: str, path: str, token: str) -> str:
    params = {k: v for k, v in zip(_names(resource), path.split("/"), strict=False) if k}
    return json.dumps({
        "resource": resource, "path": path, "httpMethod": method,
        "headers": {"Authorization": f"Bearer {token}", "Host": "localhost", "Content-Type": "application/json"},
        "multiValueHeaders": None, "queryStringParameters": None, "multiValueQueryStringParameters": None,
        "pathParameters": params or None, "stageVariables": None, "body": None, "isBase64Encoded": False,
        "requestContext": {"resourcePath": resource, "httpMethod": method, "stage": "api",
                           "requestId": "cold-start", "identity": {"sourceIp": "127.0.0.1"}},
    })


def _names(resource: str) -> list[str]:
    return [part[1:-1] if part.startswith("{") else "" for part in resource.split("/")]


def probe(env: dict[str, str], router: str | None, event: str) -> dict[str, Any]:
    child = {k: v for k, v in os.environ.items() if k != "ROUTER"} | env
    if router:
        child["ROUTER"] = router
    code = PROBE.format(root=str(ROOT), heavy=HEAVY)
    out = subprocess.run([sys.executable, "-I", "-c", code, event], env=child, capture_output=True,
                         text=True, check=True).stdout
    return _figures(out)


def _figures(out: str) -> dict[str, Any]:
    """The probe's line of figures (the app's JSON log lines share its stdout)."""
    for line in reversed(out.strip().splitlines()):
        found = json.loads(line) if line.startswith("{") else {}
        if "first" in found:
            return dict(found)
    raise RuntimeError(f"no figures in the probe's output: {out[-2000:]}")


def recorded_statements(event: str, url: str) -> str:
    """The statements the app runs to answer ``event`` (SQL text and parameters), pickled, base64."""
    import base64
    import pickle

    import psycopg

    from app import app
    from benchmarks.floor import record_sql

    class Context:
        aws_request_id = function_name = log_group_name = log_stream_name = "cold-start"
        memory_limit_in_mb = 1024
        invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:bench"

        def get_remaining_time_in_millis(self) -> int:
            return 30000

    statements = record_sql(lambda: app(json.loads(event), Context()))
    with psycopg.connect(url) as conn:
        plain = [(q if isinstance(q, str) else q.as_string(conn), p) for q, p, _kwargs in statements]
    return base64.b64encode(pickle.dumps(plain)).decode()


def bare(env: dict[str, str], statements: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-I", "-c", BARE.format(), statements, env["DATABASE_URL"]],
                         env={**os.environ, **env}, capture_output=True, text=True, check=True).stdout
    return _figures(out)


def run(env: dict[str, str], token: str, runs: int, only: list[str] | None) -> list[dict[str, Any]]:
    from functions import router_names

    rows = []
    # Untimed: writes any missing bytecode, which a deployed package ships already compiled.
    probe(env, None, _event("GET", "/api/health", "/api/health", token))
    for router in only or router_names():
        target = first_request(router)
        if target is None:
            continue
        event = _event(*target, token)
        statements = recorded_statements(event, env["DATABASE_URL"])
        mine: list[dict[str, Any]] = []
        whole: list[dict[str, Any]] = []
        floor: list[dict[str, Any]] = []
        for _ in range(runs):  # interleaved: load on the machine falls on all alike
            mine.append(probe(env, router, event))
            floor.append(bare(env, statements))
            whole.append(probe(env, None, event))
        rows.append({"router": router, "path": f"{target[0]} {target[2]}", "status": mine[0]["status"],
                     "import": _median(mine, "import"), "first": _median(mine, "first"),
                     "whole": statistics.median(r["import"] + r["first"] for r in whole),
                     "floor": statistics.median(r["import"] + r["first"] for r in floor),
                     "floor_cpu": _median(floor, "cpu"),
                     "cpu": _median(mine, "cpu"), "whole_cpu": _median(whole, "cpu"),
                     "whole_import": _median(whole, "import"), "heavy": mine[0]["heavy"]})
        print(f"  {router}: done", file=sys.stderr, flush=True)
    return rows


def _median(results: list[dict[str, Any]], key: str) -> float:
    return statistics.median(float(r[key]) for r in results)


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'router':<20} {'first request':<33} {'import':>7} {'1st req':>8} {'total':>7} {'bare':>6} "
          f"{'ratio':>6} {'CPU':>6} {'bare':>6} {'ratio':>6} {'whole':>6}  heavy at import")
    for r in rows:
        total = r["import"] + r["first"]
        ratio, cpu_ratio = total / r["floor"], r["cpu"] / r["floor_cpu"]
        flag = "" if min(ratio, cpu_ratio) <= TARGET else "  > target"
        print(f"{r['router']:<20} {r['path'][:28] + ' ' + str(r['status']):<33} {r['import']:>7.1f} "
              f"{r['first']:>8.1f} {total:>7.1f} {r['floor']:>6.1f} {ratio:>6.2f} {r['cpu']:>6.1f} "
              f"{r['floor_cpu']:>6.1f} {cpu_ratio:>6.2f} {r['whole']:>6.1f}  {','.join(r['heavy']) or '-'}{flag}")
    if rows:
        ratios = sorted((r["import"] + r["first"]) / r["floor"] for r in rows)
        cpu_ratios = sorted(r["cpu"] / r["floor_cpu"] for r in rows)
        print(f"ms, medians; wall clock, then CPU time (import + first request), which a busy machine disturbs "
              f"less; bare: a handler importing only psycopg running the same statements.\n"
              f"ratio to bare median {statistics.median(ratios):.2f}, max {ratios[-1]:.2f}; CPU ratio median "
              f"{statistics.median(cpu_ratios):.2f}, max {cpu_ratios[-1]:.2f} (target <= {TARGET})")


if __name__ == "__main__":
    main()
