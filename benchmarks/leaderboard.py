"""XP leaderboard reads: Redis sorted sets at 1k and 1M users, and a PostgreSQL window query at 1M.

    python -m benchmarks.leaderboard [--reads 2000] [--sql-reads 20]

Starts its own throwaway stack under ``.local/bench-leaderboard``, seeds one database per size
(users with a skewed XP distribution and many ties), builds each all-time board with the
reconcile code (``leaderboard.rebuild_board``: temporary key, then ``RENAME``) into its own
Redis database, and times the Redis part of one leaderboard read as the app does it (``leaderboard._redis_top``
and ``_redis_ahead``: the top 50 with scores, the caller's score and the number of users ahead
of it; three round trips), alternating between the sizes. The same answer, ranks included,
is then computed by PostgreSQL with window functions at 1M users, and checked equal.
Targets: Redis at 1M within 1.2x of Redis at 1k, and at least 20x faster than SQL at 1M.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.databases import fresh_database
from infra.local.stack import Ports, Stack

ROOT = Path(__file__).resolve().parents[1]
SIZES = (1_000, 1_000_000)
TOP = 50
ROUNDS = 10

# Every user's rank and position in one pass over the table: what a board without Redis costs.
_WINDOW_SQL = """
SELECT id, xp, rank FROM (
    SELECT id, xp, rank() OVER (ORDER BY xp DESC) AS rank,
           row_number() OVER (ORDER BY xp DESC, id DESC) AS position
    FROM users WHERE xp > 0
) AS ranked
WHERE position <= %(top)s OR id = %(uid)s
ORDER BY position
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=2000, help="timed Redis reads per size")
    parser.add_argument("--sql-reads", type=int, default=20, help="timed SQL window queries at 1M")
    args = parser.parse_args(argv)
    root = ROOT / ".local" / "bench-leaderboard"
    shutil.rmtree(root / "redis", ignore_errors=True)  # an old append-only file takes long to load
    stack = Stack(root, ports=Ports(54406, 63906, 45706), durable=False)
    env = stack.start()
    try:
        import redis as redis_lib

        # Throwaway data: no append-only file, so no AOF rewrite forks in the middle of a timing.
        redis_lib.Redis.from_url(env["REDIS_URL"]).config_set("appendonly", "no")

        boards = {}
        for index, size in enumerate(SIZES, start=1):
            url = fresh_database(env["DATABASE_URL"], f"bench_lb_{size}")
            store = redis_lib.Redis.from_url(env["REDIS_URL"].rsplit("/", 1)[0] + f"/{index}", decode_responses=True)
            store.flushdb()
            began = time.monotonic()
            _seed(url, size)
            seeded = time.monotonic() - began
            built = _build(url, store)
            print(f"{size:>9,} users: seeded in {seeded:.1f}s, board rebuilt in {built:.2f}s", flush=True)
            boards[size] = (url, store)
        _report(boards, args.reads, args.sql_reads)
    finally:
        stack.stop()
        for data in ("postgres", "redis"):
            shutil.rmtree(root / data, ignore_errors=True)


def _report(boards: dict[int, tuple[str, Any]], reads: int, sql_reads: int) -> None:
    import psycopg

    redis_ms: dict[int, list[float]] = {size: [] for size in boards}
    for _ in range(ROUNDS):  # alternate, so load from anything else on the machine hits both alike
        for size, (_url, store) in boards.items():
            redis_ms[size] += _time(lambda s=store, c=size // 2: _redis_read(s, c), reads // ROUNDS)
    url, store = boards[SIZES[-1]]
    caller = SIZES[-1] // 2  # a user in the middle of the pack
    with psycopg.connect(url, autocommit=True) as conn:
        sql_ms = _time(lambda: conn.execute(_WINDOW_SQL, {"top": TOP, "uid": caller}).fetchall(), sql_reads)
        rows = conn.execute(_WINDOW_SQL, {"top": TOP, "uid": caller}).fetchall()
    assert _sql_answer(rows, caller) == _redis_read(store, caller), "Redis and PostgreSQL disagree"
    p50 = {size: statistics.median(ms) for size, ms in redis_ms.items()}
    print(f"\n| read (top {TOP} + caller's rank) | p50 ms | p95 ms |\n|---|---|---|")
    for size, ms in redis_ms.items():
        print(f"| Redis, {size:,} users | {p50[size]:.3f} | {_p95(ms):.3f} |")
    print(f"| PostgreSQL window query, {SIZES[-1]:,} users | {statistics.median(sql_ms):.1f} | {_p95(sql_ms):.1f} |")
    print(f"\nRedis 1M / 1k: {p50[SIZES[-1]] / p50[SIZES[0]]:.2f}x (target <= 1.2x); "
          f"SQL / Redis at 1M: {statistics.median(sql_ms) / p50[SIZES[-1]]:.0f}x (target >= 20x); "
          "answers identical")


def _redis_read(store: Any, caller: int) -> tuple[list[tuple[int, int, int]], int]:
    """What the app reads from Redis for a board page and the caller's rank (``leaderboard.top``
    and ``rank_of`` without the name lookup): top ``TOP`` as (user id, xp, rank), caller's rank."""
    from layers.services.gamification.leaderboard import ALL_KEY, Board, _redis_ahead, _redis_top

    board = Board(ALL_KEY)
    top = _redis_top(store, board, TOP) or []
    ranked: list[tuple[int, int, int]] = []
    for position, (uid, xp) in enumerate(top, start=1):
        rank = ranked[-1][2] if ranked and ranked[-1][1] == xp else position
        ranked.append((uid, xp, rank))
    return ranked, (_redis_ahead(store, board, caller) or 0) + 1


def _sql_answer(rows: list[tuple[int, int, int]], caller: int) -> tuple[list[tuple[int, int, int]], int]:
    top = [(int(uid), int(xp), int(rank)) for uid, xp, rank in rows[:TOP]]
    mine = next(int(rank) for uid, _xp, rank in rows if uid == caller)
    return top, mine


def _time(read: Callable[[], Any], count: int) -> list[float]:
    for _ in range(min(20, count)):  # warm up connections and caches
        read()
    out = []
    for _ in range(count):
        began = time.perf_counter()
        read()
        out.append((time.perf_counter() - began) * 1000)
    return out


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def _seed(url: str, size: int) -> None:
    """``size`` users, every one with XP: a long tail (x^3 skew) with many equal scores."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT setseed(0.42)")
        conn.execute(
            "INSERT INTO users (email, name, xp) SELECT 'user' || g || '@bench.local', 'User ' || g,"
            " 1 + floor(power(random(), 3) * 20000)::int FROM generate_series(1, %s) AS g", (size,))
        conn.execute("VACUUM ANALYZE users")


def _build(url: str, store: Any) -> float:
    import psycopg
    from psycopg.rows import dict_row

    from layers.services.gamification.leaderboard import ALL_KEY, Board, rebuild_board

    with psycopg.connect(url, row_factory=dict_row) as conn:
        began = time.monotonic()
        rebuild_board(conn, store, Board(ALL_KEY))
        return time.monotonic() - began


if __name__ == "__main__":
    os.environ.setdefault("XDG_RUNTIME_DIR", f"/tmp/blog-runtime-{os.getuid()}")
    main()
