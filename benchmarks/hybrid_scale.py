"""Hybrid search at 1k and 100k chunks, HNSW recall, and the embedding model's speed.

    python -m benchmarks.hybrid_scale [--requests 300] [--rounds 3]

Starts a throwaway stack under ``.local/bench-hybrid`` with one database per size and fills it
with synthetic posts of ten chunks each: words drawn from a Zipf-like vocabulary of 20,000 (so
full-text matching is selective as with real prose; queries skip the 100 commonest, which stand
for stop words), and 384-dimensional unit vectors around
2,000 centres (real embeddings cluster by topic; uniform random vectors are a worst case no model
produces). It then prints:

- p50/p95 of ``GET /api/search/hybrid`` per size, called in-process through ``chalice.test.Client``
  (routing, rate limit, validation, both rankings, fusion, snippets), queries near the vectors'
  centres through a stand-in embedding provider: this measures search, not the model;
- recall@10 of the HNSW index against exact search at 100k chunks, for several ``hnsw.ef_search``
  values, the one in use marked;
- the offline model's throughput embedding the demo posts' chunks, and its latency for one query.
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import shutil
import statistics
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from benchmarks.content_scale import measure
from benchmarks.databases import fresh_database, use_database
from infra.local.stack import Ports, Stack

ROOT = Path(__file__).resolve().parents[1]
SIZES = (1_000, 100_000)
CHUNKS_PER_POST = 10
WORDS_PER_CHUNK = 120
VOCABULARY = 20_000
CENTRES = 2_000
DIMENSIONS = 384
NOISE = 0.06  # per-dimension spread around a centre: neighbours at cosine ~0.6-0.8, as with real text
MODEL_ID = "bench-synthetic"
QUERIES = 50
STOP_WORDS = 100  # the commonest synthetic words: in each of ~half the chunks or more
EF_SEARCH_VALUES = (40, 64, 100, 200)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="timed requests per size")
    parser.add_argument("--rounds", type=int, default=3, help="alternations between the two sizes")
    args = parser.parse_args(argv)
    os.environ.update({"ADMIN_EMAILS": "admin@example.com", "RATE_LIMIT_ANON": "100000000/hour",
                       "RATE_LIMIT_USER": "100000000/hour"})
    root = ROOT / ".local" / "bench-hybrid"
    stack = Stack(root, ports=Ports(54472, 63972, 45772), durable=False)
    env = stack.start()
    try:
        model_figures()
        centres = _centres()
        urls, vectors = {}, {}
        for size in SIZES:
            urls[size] = fresh_database(env["DATABASE_URL"], f"bench_hybrid_{size}")
            began = time.monotonic()
            vectors[size] = seed(urls[size], size, centres)
            print(f"seeded {size:,} chunks with their HNSW index in {time.monotonic() - began:.1f}s", flush=True)
        latency(urls, centres, args.requests, args.rounds)
        breakdown(urls[SIZES[-1]], centres)
        recall(urls[SIZES[-1]], vectors[SIZES[-1]], centres)
    finally:
        from layers.core import db

        db.close_pool()
        stack.stop()
        shutil.rmtree(root, ignore_errors=True)  # ~1 GB of throwaway data


def _centres() -> Any:
    import numpy as np

    rng = np.random.default_rng(7)
    centres = rng.standard_normal((CENTRES, DIMENSIONS)).astype(np.float32)
    return centres / np.linalg.norm(centres, axis=1, keepdims=True)


def _near(centres: Any, rng: Any, count: int) -> Any:
    import numpy as np

    picked = centres[rng.integers(0, len(centres), count)]
    noisy = picked + rng.normal(0, NOISE, picked.shape).astype(np.float32)
    result: Any = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
    return result


def _words(rng: random.Random, count: int, skip_commonest: int = 0) -> str:
    # Zipf-like: word k is drawn with probability ~ 1/k.
    words: list[str] = []
    while len(words) < count:
        k = int(VOCABULARY ** rng.random())
        if k >= skip_commonest:
            words.append(f"w{k}")
    return " ".join(words)


def _query(rng: random.Random) -> str:
    """Two words, never among the commonest: those stand for the stop words ("the", "of") that
    the english text search configuration drops from real queries and texts alike."""
    return _words(rng, 2, skip_commonest=STOP_WORDS)


def seed(url: str, size: int, centres: Any) -> Any:
    """``size`` chunks in ``size / 10`` published posts (one in ten premium); the chunk vectors."""
    import numpy as np
    import psycopg
    from pgvector.psycopg import register_vector

    rng, nrng = random.Random(size), np.random.default_rng(size)
    vectors = _near(centres, nrng, size)
    posts = size // CHUNKS_PER_POST
    texts = [_words(rng, WORDS_PER_CHUNK) for _ in range(size)]
    with psycopg.connect(url, autocommit=True) as conn:
        register_vector(conn)
        conn.execute("DROP INDEX IF EXISTS rag_chunks_embedding_idx")
        with conn.cursor() as cur, cur.copy("COPY posts (slug, title, excerpt, content, status, is_premium,"
                                            " published_at) FROM STDIN") as copy:
            for p in range(posts):
                body = "\n\n".join(texts[p * CHUNKS_PER_POST:(p + 1) * CHUNKS_PER_POST])
                copy.write_row((f"post-{p}", f"Post {p} {_words(rng, 4)}", _words(rng, 20), body, "published",
                                p % 10 == 0, "2026-01-01T00:00:00Z"))
        with conn.cursor() as cur, cur.copy("COPY rag_chunks (post_id, chunk_index, heading, content,"
                                            " embedding, embedding_model) FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "int4", "text", "text", "vector", "text"])
            for i in range(size):
                post = i // CHUNKS_PER_POST + 1
                copy.write_row((post, i % CHUNKS_PER_POST, "", texts[i], vectors[i], MODEL_ID))
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("CREATE INDEX rag_chunks_embedding_idx ON rag_chunks USING hnsw (embedding vector_cosine_ops)")
        conn.execute("VACUUM ANALYZE posts")
        conn.execute("VACUUM ANALYZE rag_chunks")
    return vectors


class _CentreQueries:
    """Embedding stand-in: a query's vector lies near one of the synthetic centres."""

    model_id, dimensions = MODEL_ID, DIMENSIONS

    def __init__(self, centres: Any) -> None:
        self._centres = centres

    def embed(self, texts: list[str]) -> list[list[float]]:
        import numpy as np

        out = []
        for text in texts:
            rng = np.random.default_rng(abs(hash(text)) % 2**32)
            out.append(_near(self._centres, rng, 1)[0].tolist())
        return out


def latency(urls: dict[int, str], centres: Any, requests: int, rounds: int) -> None:
    from chalice.test import Client

    from app import app
    from layers import bootstrap

    logging.getLogger("http.access").setLevel(logging.WARNING)
    rng = random.Random(1)
    paths = [f"/api/search/hybrid?q={quote(_query(rng))}" for _ in range(QUERIES)]
    timings: dict[int, list[float]] = {size: [] for size in urls}
    with bootstrap.override(embeddings=_CentreQueries(centres)), Client(app, project_dir=str(ROOT / "benchmarks")) as client:
        for _ in range(rounds):
            for size, url in urls.items():
                use_database(url)
                per_path = max(1, requests // rounds // len(paths))
                for path in paths:
                    timings[size] += measure(client, path, per_path)
    print(f"{'GET /api/search/hybrid':<26} {'p50 ms':>8} {'p95 ms':>8}")
    for size, values in timings.items():
        cuts = statistics.quantiles(values, n=100)
        print(f"{f'{size:,} chunks':<26} {cuts[49]:>8.2f} {cuts[94]:>8.2f}")


def breakdown(url: str, centres: Any) -> None:
    """Where a request's time goes at the largest size: each ranking on its own (p50, ms)."""
    import psycopg
    from psycopg.rows import dict_row

    from layers.core.settings import get_settings
    from layers.services.rag import hybrid_search, retrieval

    ef = get_settings().hnsw_ef_search
    fake = _CentreQueries(centres)
    rng = random.Random(2)
    queries = [_query(rng) for _ in range(QUERIES)]
    steps: dict[str, list[float]] = {"vector ranking": [], "full-text ranking": [], "both, fused": []}
    with psycopg.connect(url, row_factory=dict_row) as conn:
        for q in queries * 2:
            vector = fake.embed([q])[0]
            for name, step, step_args in (
                ("vector ranking", retrieval.vector_chunks, (conn, vector, MODEL_ID, False, ef)),
                ("full-text ranking", hybrid_search.text_ranking, (conn, q, vector, MODEL_ID, False)),
                ("both, fused", hybrid_search.rank_posts, (conn, q, vector, MODEL_ID, False, ef)),
            ):
                began = time.perf_counter()
                step(*step_args)
                steps[name].append((time.perf_counter() - began) * 1000)
            conn.rollback()
    print(f"at {SIZES[-1]:,} chunks, p50: " + ", ".join(f"{name} {statistics.median(v):.2f} ms"
                                                         for name, v in steps.items()))


def recall(url: str, vectors: Any, centres: Any, queries: int = 200, k: int = 10) -> None:
    """HNSW top-k against exact top-k (numpy over every vector) for queries near the centres."""
    import numpy as np
    import psycopg
    from pgvector.psycopg import register_vector

    from layers.core.settings import get_settings

    in_use = get_settings().hnsw_ef_search
    probes = _near(centres, np.random.default_rng(99), queries)
    exact = [set((np.argsort(-(vectors @ q))[:k] + 1).tolist()) for q in probes]  # ids start at 1
    with psycopg.connect(url) as conn:
        register_vector(conn)
        for ef in EF_SEARCH_VALUES:
            conn.execute(f"SET hnsw.ef_search = {int(ef)}")
            found, took = 0, []
            for q, truth in zip(probes, exact, strict=True):
                began = time.perf_counter()
                rows = conn.execute("SELECT id FROM rag_chunks ORDER BY embedding <=> %s LIMIT %s", (q, k)).fetchall()
                took.append((time.perf_counter() - began) * 1000)
                found += len(truth & {r[0] for r in rows})
            mark = "  (in use)" if ef == in_use else ""
            print(f"recall@{k} at {len(vectors):,} chunks, ef_search={ef}: {found / (k * queries):.3f},"
                  f" vector query p50 {statistics.median(took):.2f} ms{mark}")


def model_figures() -> None:
    """Throughput over the demo posts' real chunks, and one uncached query's latency."""
    from infra.local.demo import DEMO_DIR, parse_post
    from layers.adapters.minilm import MiniLmEmbeddings
    from layers.services.chunking import chunks
    from layers.services.rag.indexing import embedding_text

    began = time.perf_counter()
    model = MiniLmEmbeddings()
    model.load()
    loaded = time.perf_counter() - began
    texts = []
    for path in sorted((DEMO_DIR / "posts").glob("*.md")):
        post = parse_post(path)
        texts += [embedding_text(post["title"], c.heading, c.content) for c in chunks(post["content"])]
    began = time.perf_counter()
    model.embed(texts)
    spent = time.perf_counter() - began
    questions = [f"how do I fix problem number {n} in my service" for n in range(50)]
    took = []
    for question in questions:
        began = time.perf_counter()
        model.embed([question])
        took.append((time.perf_counter() - began) * 1000)
    print(f"model load {loaded:.2f}s; embedded {len(texts)} demo chunks in {spent:.1f}s"
          f" ({len(texts) / spent:.0f} chunks/s, {os.cpu_count()} cores);"
          f" one query {statistics.median(took):.1f} ms p50, {statistics.quantiles(took, n=100)[94]:.1f} ms p95",
          flush=True)


if __name__ == "__main__":
    main()
