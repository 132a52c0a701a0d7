"""Ask AI: retrieve the best chunks the caller may read, and answer from them with citations.

Retrieval is hybrid at chunk level (``retrieval``): full-text and vector rankings of the chunks
the caller may read (premium chunks for full access only), cut to the relevant ones and fused.
The best ``MAX_PASSAGES`` go to the answer generator (a port: extractive offline, a hosted model
when configured) in rank order; ``[n]`` in the answer is the n-th entry of ``sources``. Nothing
relevant: a plain answer saying so, with no sources, and the generator is not called. Without
the embedding provider, retrieval falls back to the chunks holding every word of the question.
"""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.ports import AnswerGenerator, Embeddings
from layers.services.rag import passages, retrieval
from layers.services.rag.query_cache import query_vector_or_none

MAX_PASSAGES = 5
NOTHING_FOUND = ("No published post answers this question, so there is nothing to quote. "
                 "Try rephrasing it, or search for a related topic.")


def ask(conn: Db, redis: Any, embeddings: Embeddings, answers: AnswerGenerator, question: str,
        full_access: bool, ef_search: int) -> dict[str, Any]:
    ranked = best_chunks(conn, redis, embeddings, question, full_access, ef_search)
    rows = passages.load(conn, ranked, full_access)
    if not rows:
        return {"answer": NOTHING_FOUND, "sources": [], "extractive": True}
    answer = answers.answer(question, [passages.as_passage(r) for r in rows])
    return {"answer": answer.text, "sources": [passages.as_source(r) for r in rows],
            "extractive": answer.extractive}


def best_chunks(conn: Db, redis: Any, embeddings: Embeddings, question: str, full_access: bool,
                ef_search: int, limit: int = MAX_PASSAGES) -> list[tuple[int, float]]:
    """``(chunk_id, fused score)`` of the most relevant chunks, best first."""
    vector = query_vector_or_none(redis, embeddings, question)
    nearest = retrieval.relevant_vector_hits(
        retrieval.vector_chunks(conn, vector, embeddings.model_id, full_access, ef_search))
    texts = retrieval.relevant_text_hits(
        retrieval.text_chunks(conn, question, vector, embeddings.model_id, full_access))
    scores = retrieval.rrf([h.key for h in texts], [h.chunk_id for h in nearest])
    return [(chunk_id, scores[chunk_id]) for chunk_id in retrieval.fused_order(scores)[:limit]]
