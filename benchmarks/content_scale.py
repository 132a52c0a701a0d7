"""Post list, filter and search latency at 1k and 100k posts.

    python -m benchmarks.content_scale [--requests 500] [--rounds 5]

Starts its own throwaway stack under ``.local/bench-content`` with one database per size, seeds
posts with tags and series (generated in Python, loaded with COPY), then calls the app
in-process through ``chalice.test.Client`` (routing, auth, rate limiting, validation and
serialisation included), alternating between the sizes, and prints p50/p95 per endpoint and size.
The list and filter figures at 100k are meant to stay
within 1.3x of those at 1k: their queries walk an index in the requested order and stop after a
page, and their counts are capped (see ``layers/services/posts/queries.py``).
"""
from __future__ import annotations

import argparse
import gc
import logging
import os
import random
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.databases import fresh_database, use_database
from infra.local.stack import Ports, Stack

ROOT = Path(__file__).resolve().parents[1]
SIZES = (1_000, 100_000)
TAGS = 50
POSTS_PER_SERIES = 10
WORDS_PER_POST = 90
VOCABULARY = 1_000
WARMUP = 20
ENDPOINTS = (
    ("GET /api/posts", "/api/posts"),
    ("GET /api/posts?tag=", "/api/posts?tag=tag-7"),
    ("GET /api/posts?series=", "/api/posts?series=series-3"),
    ("GET /api/search?q=", "/api/search?q=w17%20w42"),
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="timed requests per endpoint and size")
    parser.add_argument("--rounds", type=int, default=5, help="alternations between the two sizes")
    args = parser.parse_args(argv)
    os.environ.update({"ADMIN_EMAILS": "admin@example.com", "RATE_LIMIT_ANON": "100000000/hour",
                       "RATE_LIMIT_USER": "100000000/hour"})
    root = ROOT / ".local" / "bench-content"
    stack = Stack(root, ports=Ports(54361, 63831, 45691), durable=False)
    env = stack.start()
    try:
        urls = {size: fresh_database(env["DATABASE_URL"], f"bench_{size}") for size in SIZES}
        for size, url in urls.items():
            began = time.monotonic()
            seed(url, size)
            print(f"seeded {size:,} posts in {time.monotonic() - began:.1f}s", flush=True)
        print_table(run(urls, args.requests, args.rounds))
    finally:
        from layers.core import db

        db.close_pool()
        stack.stop()
        shutil.rmtree(root / "postgres", ignore_errors=True)  # ~2 GB of throwaway data at 100k posts


def run(urls: dict[int, str], requests: int, rounds: int) -> dict[int, dict[str, tuple[float, float]]]:
    """Alternate between the sizes round by round, so load from anything else on the machine
    falls on both alike; percentiles are taken over all rounds."""
    from chalice.test import Client

    from app import app

    logging.getLogger("http.access").setLevel(logging.WARNING)  # one log line per call otherwise
    timings: dict[int, dict[str, list[float]]] = {size: {name: [] for name, _ in ENDPOINTS} for size in urls}
    with Client(app, project_dir=str(ROOT / "benchmarks")) as client:
        for _ in range(rounds):
            for size, url in urls.items():
                use_database(url)
                for name, path in ENDPOINTS:
                    timings[size][name] += measure(client, path, max(1, requests // rounds))
    return {size: {name: _percentiles(values) for name, values in by_name.items()}
            for size, by_name in timings.items()}


def seed(database_url: str, size: int) -> None:
    """Replace all content with ``size`` posts (95% published), 50 tags and series of 10."""
    import psycopg

    rng = random.Random(size)
    words = [f"w{i}" for i in range(VOCABULARY)]
    series_count = max(1, size // (3 * POSTS_PER_SERIES))
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("TRUNCATE posts, tags, series, post_tags, redirects, rag_chunks, post_views,"
                     " post_reactions RESTART IDENTITY CASCADE")
        author = conn.execute(
            "INSERT INTO users (email, name, role) VALUES ('author@example.com', 'Author', 'admin')"
            " ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name RETURNING id").fetchone()[0]
        conn.execute("INSERT INTO tags (slug, name) SELECT 'tag-' || i, 'Tag ' || i FROM generate_series(1, %s) i",
                     (TAGS,))
        conn.execute("INSERT INTO series (slug, title) SELECT 'series-' || i, 'Series ' || i"
                     " FROM generate_series(1, %s) i", (series_count,))
        with conn.cursor() as cur, cur.copy(
            "COPY posts (slug, title, excerpt, content, status, difficulty, is_premium, series_id,"
            " series_position, author_id, reading_time_minutes, view_count, published_at) FROM STDIN"
        ) as copy:
            for i in range(1, size + 1):
                copy.write_row(_post_row(i, rng, words, series_count, author))
        conn.execute(
            "INSERT INTO post_tags (post_id, tag_id)"
            " SELECT DISTINCT p.id, 1 + (p.id * k) %% %s FROM posts p, (VALUES (1), (7), (13)) AS m(k)"
            " WHERE k = 1 OR p.id %% k < 3",
            (TAGS,),
        )
        conn.execute("VACUUM ANALYZE posts")
        conn.execute("VACUUM ANALYZE post_tags")
        conn.execute("VACUUM ANALYZE series")
    with psycopg.connect(database_url) as conn:
        from layers.services import tags

        tags.refresh_counts(conn)
        conn.commit()


def _post_row(i: int, rng: random.Random, words: list[str], series_count: int, author: int) -> tuple[Any, ...]:
    published = i % 20 != 0
    in_series = i % 3 == 0
    k = i // 3
    content = " ".join(rng.choices(words, k=WORDS_PER_POST))
    return (
        f"post-{i}", f"Post {i} about {rng.choice(words)} and {rng.choice(words)}",
        " ".join(rng.choices(words, k=20)), content,
        "published" if published else "draft", ("beginner", "intermediate", "advanced")[i % 3],
        i % 10 == 0, (k % series_count) + 1 if in_series else None,
        (k // series_count) + 1 if in_series else None, author, 1, rng.randint(0, 10_000),
        _ago(i),
    )


def _ago(i: int) -> str:
    # Newest first by id, a few minutes apart; COPY takes text timestamps.
    from datetime import datetime, timedelta, timezone

    return (datetime(2026, 1, 1, tzinfo=timezone.utc) - timedelta(minutes=7 * i)).isoformat()


def measure(client: Any, path: str, requests: int) -> list[float]:
    for _ in range(WARMUP):
        _call(client, path)
    gc.collect()
    timings = []
    for _ in range(requests):
        began = time.perf_counter()
        _call(client, path)
        timings.append((time.perf_counter() - began) * 1000)
    return timings


def _percentiles(timings: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(timings, n=100)
    return cuts[49], cuts[94]


def _call(client: Any, path: str) -> None:
    reply = client.http.get(path)
    if reply.status_code != 200:
        raise RuntimeError(f"{path}: {reply.status_code} {reply.body[:200]!r}")


def print_table(results: dict[int, dict[str, tuple[float, float]]]) -> None:
    small, large = SIZES
    header = (f"{'endpoint':<26} {'1k p50':>8} {'1k p95':>8} {'100k p50':>9} {'100k p95':>9}"
              f" {'p50 x':>6} {'p95 x':>6}")
    print(header)
    print("-" * len(header))
    for name, _ in ENDPOINTS:
        (a50, a95), (b50, b95) = results[small][name], results[large][name]
        print(f"{name:<26} {a50:>8.2f} {a95:>8.2f} {b50:>9.2f} {b95:>9.2f} {b50 / a50:>6.2f} {b95 / a95:>6.2f}")
    print("latency in ms, in-process through chalice.test.Client")


if __name__ == "__main__":
    main()
