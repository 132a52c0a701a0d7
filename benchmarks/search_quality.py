"""Search quality on the demo posts: hit@1, hit@3 and MRR of full-text, vector and hybrid ranking.

    python -m benchmarks.search_quality

Starts a throwaway stack under ``.local/bench-search-quality``, stores the demo posts
(``infra/demo/posts``), builds their chunks and embeds them with the offline model, then ranks
the posts for every question of ``benchmarks/data/search_eval.json`` as a reader with full access:

- full-text, all words: what ``GET /api/search`` matches (websearch syntax, every word);
- full-text, any word: the text ranking hybrid search fuses (``hybrid_search.text_ranking``);
- vector: posts by their best chunk (``retrieval.vector_chunks``);
- hybrid: ``GET /api/search/hybrid``'s ranking (relevance cut, then reciprocal rank fusion);
- Ask AI: the post of the first source ``POST /api/rag/ask`` would cite.

It also prints how the relevance cut behaves: how many answerable questions lose their answer,
and how many unanswerable ones still get a hit.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from infra.local.stack import Ports, Stack

ROOT = Path(__file__).resolve().parents[1]
EVAL_SET = Path(__file__).parent / "data" / "search_eval.json"
EF_SEARCH = 64
Ranker = Callable[[Any, str], list[int]]


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("JWT_SECRET", "benchmark-secret-that-is-long-enough-0123456789")
    root = ROOT / ".local" / "bench-search-quality"
    stack = Stack(root, ports=Ports(54471, 63971, 45771), durable=False)
    stack.start()
    try:
        from layers.core import db

        embeddings = _model()
        with db.connection() as conn:
            slugs = load_demo_posts(conn, embeddings)
            conn.commit()
            evaluation = json.loads(EVAL_SET.read_text())
            report(conn, embeddings, evaluation, slugs)
    finally:
        from layers.core import db

        db.close_pool()
        stack.stop()
        shutil.rmtree(root, ignore_errors=True)


def _model() -> Any:
    from layers.adapters.minilm import MiniLmEmbeddings

    model = MiniLmEmbeddings()
    model.load()
    return model


def load_demo_posts(conn: Any, embeddings: Any) -> dict[int, str]:
    """Every demo post, published, chunked and embedded; id -> slug."""
    from infra.local.demo import DEMO_DIR, parse_post
    from layers.services.rag import indexing
    from layers.tasks.handlers.search_index import rebuild_chunks

    conn.execute("TRUNCATE posts RESTART IDENTITY CASCADE")
    slugs = {}
    for path in sorted((DEMO_DIR / "posts").glob("*.md")):
        post = parse_post(path)
        post_id = conn.execute(
            "INSERT INTO posts (slug, title, excerpt, content, status, is_premium, published_at)"
            " VALUES (%s, %s, %s, %s, 'published', %s, now()) RETURNING id",
            (post["slug"], post["title"], post["excerpt"], post["content"], post["is_premium"]),
        ).fetchone()["id"]
        rebuild_chunks(conn, post_id)
        indexing.embed_post(conn, embeddings, post_id)
        slugs[post_id] = post["slug"]
    return slugs


def rankers(embeddings: Any) -> dict[str, Ranker]:
    from layers.services.rag import ask, hybrid_search, retrieval

    def vector(conn: Any, q: str) -> list[int]:
        hits = retrieval.vector_chunks(conn, embeddings.embed([q])[0], embeddings.model_id, True, EF_SEARCH)
        return list(retrieval.best_per_post(hits))

    def hybrid(conn: Any, q: str) -> list[int]:
        scores, _ = hybrid_search.rank_posts(conn, q, embeddings.embed([q])[0], embeddings.model_id, True, EF_SEARCH)
        return retrieval.fused_order(scores)

    def ask_first_source(conn: Any, q: str) -> list[int]:
        chunks = ask.best_chunks(conn, _NoCache(), embeddings, q, True, EF_SEARCH)
        return list(dict.fromkeys(_posts_in_order(conn, [chunk_id for chunk_id, _ in chunks])))

    return {
        "full-text, all words": _all_words,
        "full-text, any word": lambda conn, q: hybrid_search.text_ranking(
            conn, q, embeddings.embed([q])[0], embeddings.model_id, True)[0],
        "vector": vector,
        "hybrid": hybrid,
        "Ask AI sources": ask_first_source,
    }


def _all_words(conn: Any, q: str) -> list[int]:
    rows = conn.execute(
        "SELECT id FROM posts WHERE search_vector @@ websearch_to_tsquery('english', %(q)s)"
        " ORDER BY ts_rank_cd(search_vector, websearch_to_tsquery('english', %(q)s)) DESC, id DESC",
        {"q": q}).fetchall()
    return [r["id"] for r in rows]


def _posts_in_order(conn: Any, chunk_ids: list[int]) -> list[int]:
    rows = conn.execute("SELECT id, post_id FROM rag_chunks WHERE id = ANY(%s)", (chunk_ids,)).fetchall()
    post_of = {r["id"]: r["post_id"] for r in rows}
    return [post_of[c] for c in chunk_ids if c in post_of]


class _NoCache:
    """Redis stand-in: every lookup misses (the benchmark measures ranking, not caching)."""

    def get(self, key: str) -> None:
        return None

    def set(self, key: str, value: str, ex: int) -> None:
        return None


def metrics(ranked: list[list[int]], expected: list[int]) -> tuple[float, float, float]:
    hit1 = sum(r[:1] == [e] for r, e in zip(ranked, expected, strict=True)) / len(expected)
    hit3 = sum(e in r[:3] for r, e in zip(ranked, expected, strict=True)) / len(expected)
    mrr = sum(1 / (r.index(e) + 1) if e in r else 0.0 for r, e in zip(ranked, expected, strict=True)) / len(expected)
    return hit1, hit3, mrr


def report(conn: Any, embeddings: Any, evaluation: dict[str, Any], slugs: dict[int, str]) -> None:
    ids = {slug: post_id for post_id, slug in slugs.items()}
    questions = evaluation["questions"]
    expected = [ids[item["slug"]] for item in questions]
    print(f"{len(questions)} questions over {len(slugs)} demo posts; model {embeddings.model_id}")
    print(f"{'ranking':<22} {'hit@1':>6} {'hit@3':>6} {'MRR':>6} {'no hit':>7}")
    results = {}
    for name, rank in rankers(embeddings).items():
        ranked = [rank(conn, item["q"]) for item in questions]
        results[name] = ranked
        hit1, hit3, mrr = metrics(ranked, expected)
        print(f"{name:<22} {hit1:>6.2f} {hit3:>6.2f} {mrr:>6.3f} {sum(not r for r in ranked):>7}")
    unanswerable = [rankers(embeddings)["hybrid"](conn, q) for q in evaluation["unanswerable"]]
    print(f"unanswerable questions with a hybrid hit: {sum(bool(r) for r in unanswerable)} of {len(unanswerable)}")
    similarity_spread(conn, embeddings, questions, expected, evaluation["unanswerable"])


def similarity_spread(conn: Any, embeddings: Any, questions: list[dict[str, Any]], expected: list[int],
                      unanswerable: list[str]) -> None:
    """Best-chunk cosine similarity of the right post, and of any post for unanswerable questions:
    the evidence for ``retrieval.MIN_SIMILARITY``."""
    from layers.services.rag import retrieval

    def best(q: str, post_id: int | None) -> float:
        hits = retrieval.vector_chunks(conn, embeddings.embed([q])[0], embeddings.model_id, True, EF_SEARCH)
        return max((h.similarity for h in hits if post_id is None or h.post_id == post_id), default=0.0)

    right = sorted(best(item["q"], e) for item, e in zip(questions, expected, strict=True))
    wrong = sorted(best(q, None) for q in unanswerable)
    print(f"similarity of the answering post: min {right[0]:.2f}, 10th pct {right[len(right) // 10]:.2f},"
          f" median {statistics.median(right):.2f}; unanswerable, best of any post: max {wrong[-1]:.2f}"
          f" (relevance cut at {retrieval.MIN_SIMILARITY})")


if __name__ == "__main__":
    main()
