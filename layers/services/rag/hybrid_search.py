"""Hybrid search: posts ranked by full-text and by meaning, fused (``GET /api/search/hybrid``).

Both rankings are over the chunks the caller may read, each post ranked by its best chunk; a
premium post also matches a caller without full access on its title and excerpt, as on
``/api/search``. Both lists are cut to the relevant candidates (``retrieval``) and fused with
reciprocal rank fusion; pages are slices of the fused list, so ``total`` counts every relevant
post (at most twice ``retrieval.CANDIDATES``, 100).

Snippets are HTML-escaped, with the query's words wrapped in ``<mark>``: from the post's best
chunk when the caller may read the post's body, from its excerpt when the post is locked.

With the embedding provider unavailable (a hosted API down, the model not installed) the search
still answers, by words alone: the posts holding every word of the query.
"""
from __future__ import annotations

import html
from typing import Any

from layers.core.db import Db
from layers.core.pagination import PageQuery
from layers.core.ports import Embeddings
from layers.services import premium
from layers.services.rag import retrieval
from layers.services.rag.query_cache import query_vector_or_none

_START, _STOP = "\ue000", "\ue001"
_HEADLINE = (f"StartSel={_START}, StopSel={_STOP}, MaxWords=35, MinWords=15, MaxFragments=2,"
             " FragmentDelimiter=\" … \"")


def search(conn: Db, redis: Any, embeddings: Embeddings, q: str, page: PageQuery, full_access: bool,
           ef_search: int) -> dict[str, Any]:
    vector = query_vector_or_none(redis, embeddings, q)
    scores, best_chunk = rank_posts(conn, q, vector, embeddings.model_id, full_access, ef_search)
    order = retrieval.fused_order(scores)
    ids = order[page.offset:page.offset + page.limit]
    posts = _posts(conn, ids)
    gated = [premium.gate(posts[i], full_access) for i in ids if i in posts]
    snippets = _snippets(conn, q, gated, best_chunk)
    items = [{**post, "score": round(scores[post["id"]], 6), "snippet": snippets.get(post["id"], "")}
             for post in gated]
    return {"items": items, "total": len(order), "page": page.page, "page_size": page.page_size}


def rank_posts(conn: Db, q: str, vector: list[float] | None, model_id: str, full_access: bool,
               ef_search: int) -> tuple[dict[int, float], dict[int, int]]:
    """Fused scores of the relevant posts, and the chunk each post's snippet should quote."""
    nearest = retrieval.vector_chunks(conn, vector, model_id, full_access, ef_search)
    similar = retrieval.best_per_post(retrieval.relevant_vector_hits(nearest))
    texts, text_chunk = text_ranking(conn, q, vector, model_id, full_access, relevant_only=True,
                                     similar_posts=set(similar))
    scores = retrieval.rrf(texts, list(similar))
    return scores, {**text_chunk, **{post_id: hit.chunk_id for post_id, hit in similar.items()}}


def text_ranking(conn: Db, q: str, vector: list[float] | None, model_id: str, full_access: bool, *,
                 relevant_only: bool = False, similar_posts: frozenset[int] | set[int] = frozenset(),
                 ) -> tuple[list[int], dict[int, int]]:
    """Posts by full-text rank, best first, and each post's best matching chunk.

    A post's rank is the sum of its matching chunks' ranks, so a post that keeps returning to
    the query's words outranks one that mentions them once (hit@1 0.70 against 0.48 for its best
    chunk alone, on the evaluation set). Premium posts of a caller without full access rank by
    their title and excerpt. ``relevant_only``: a post counts only through chunks that hold every
    word of the query or are similar enough in meaning (``retrieval.TextHit.relevant``); a
    premium post matched on title and excerpt, only if it holds every word or is in
    ``similar_posts``.
    """
    ranks: dict[int, float] = {}
    best_chunk: dict[int, int] = {}
    for hit in retrieval.text_chunks(conn, q, vector, model_id, full_access, k=2 * retrieval.POOL):
        if relevant_only and not hit.relevant:
            continue
        ranks[hit.post_id] = ranks.get(hit.post_id, 0.0) + hit.rank
        best_chunk.setdefault(hit.post_id, hit.key)
    for hit in [] if full_access else retrieval.text_locked_posts(conn, q):
        if not relevant_only or hit.all_terms or hit.post_id in similar_posts:
            ranks[hit.post_id] = hit.rank
    # Equal sums are common (ts_rank_cd is coarse on short texts): the best single chunk breaks the tie.
    order = sorted(ranks, key=lambda post_id: -ranks[post_id])
    return order[:retrieval.CANDIDATES], best_chunk


def _posts(conn: Db, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = conn.execute(
        "SELECT id, slug, title, excerpt, is_premium, published_at FROM posts"
        " WHERE id = ANY(%s) AND status = 'published'", (ids,)).fetchall()
    return {r["id"]: r for r in rows}


def _snippets(conn: Db, q: str, posts: list[dict[str, Any]], best_chunk: dict[int, int]) -> dict[int, str]:
    """One headline per post: best chunk, else body, for readable posts; excerpt when locked."""
    if not posts:
        return {}
    readable = [p["id"] for p in posts if premium.quotable_field(p) == "content"]
    chunk_ids = [best_chunk[i] for i in readable if i in best_chunk]
    rows = conn.execute(
        "SELECT p.id, ts_headline('english', CASE"
        "   WHEN NOT p.id = ANY(%(readable)s) THEN p.excerpt"
        "   ELSE coalesce((SELECT c.content FROM rag_chunks c WHERE c.post_id = p.id AND c.id = ANY(%(chunks)s)),"
        "                 p.content) END,"
        " plainto_tsquery('english', %(q)s), %(options)s) AS snippet"
        " FROM posts p WHERE p.id = ANY(%(ids)s)",
        {"readable": readable, "chunks": chunk_ids, "q": q, "options": _HEADLINE,
         "ids": [p["id"] for p in posts]},
    ).fetchall()
    return {r["id"]: _marked(r["snippet"]) for r in rows}


def _marked(text: str) -> str:
    escaped = html.escape(" ".join(text.split()), quote=False)
    return escaped.replace(_START, "<mark>").replace(_STOP, "</mark>")
