"""Related reading: the chunks nearest to a post or to a query, one per post.

For a post, the query is the mean of its chunks' vectors (a post's "centre"), and its own chunks
are left out. Vectors are never shown, only other posts' chunks the caller may read, so a premium
post's related list reveals nothing of its body.
"""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.ports import Embeddings
from layers.services.published import published_post
from layers.services.rag import passages, retrieval
from layers.services.rag.query_cache import query_vector


def related(conn: Db, redis: Any, embeddings: Embeddings, *, post_id: int | None, q: str | None,
            limit: int, full_access: bool, ef_search: int) -> dict[str, Any]:
    if post_id is not None:
        published_post(conn, post_id)
        vector = _post_centre(conn, post_id, embeddings.model_id)
    else:
        vector = query_vector(redis, embeddings, q or "")
    if vector is None:  # the post's chunks are not embedded yet
        return {"items": []}
    nearest = retrieval.vector_chunks(conn, vector, embeddings.model_id, full_access, ef_search,
                                      k=limit * 8, exclude_post=post_id or 0)
    best = list(retrieval.best_per_post(nearest).values())[:limit]
    rows = passages.load(conn, [(hit.chunk_id, hit.similarity) for hit in best], full_access)
    return {"items": [passages.as_source(r) for r in rows]}


def _post_centre(conn: Db, post_id: int, model_id: str) -> list[float] | None:
    row = conn.execute("SELECT avg(embedding)::text AS centre FROM rag_chunks"
                       " WHERE post_id = %s AND embedding_model = %s", (post_id, model_id)).fetchone()
    if row is None or row["centre"] is None:
        return None
    return [float(x) for x in row["centre"].strip("[]").split(",")]
