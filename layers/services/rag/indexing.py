"""Filling the chunks' vectors.

The text embedded for a chunk is its post's title and its heading before its content: a chunk
deep in a post ("Use EXPLAIN first") often does not name its subject, and the title does. Vectors
are written with the provider's ``model_id``; a chunk whose vector came from another model counts
as not embedded, so changing the model re-embeds everything through the backfill job.

Vectors travel as pgvector's text form, so this module needs neither numpy nor pgvector's types.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from layers.core.db import Db
from layers.core.ports import Embeddings

BATCH_SIZE = 32
BACKFILL_LIMIT = 2000  # chunks per job run; a run that leaves some reports how many remain

_STALE = "(c.embedding IS NULL OR c.embedding_model IS DISTINCT FROM %(model)s)"


def vector_literal(vector: Sequence[float]) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vector) + "]"


def embedding_text(title: str, heading: str, content: str) -> str:
    head = title if not heading or heading == title else f"{title}: {heading}"
    return f"{head}\n\n{content}"


def embed_post(conn: Db, embeddings: Embeddings, post_id: int) -> int:
    """Embed the post's chunks that lack a vector of the current model; how many were embedded."""
    rows = conn.execute(
        "SELECT c.id, c.heading, c.content, p.title FROM rag_chunks c JOIN posts p ON p.id = c.post_id"
        f" WHERE c.post_id = %(post)s AND {_STALE} ORDER BY c.chunk_index FOR UPDATE OF c",
        {"post": post_id, "model": embeddings.model_id},
    ).fetchall()
    return _embed_rows(conn, embeddings, rows)


def backfill(conn: Db, embeddings: Embeddings, limit: int = BACKFILL_LIMIT) -> dict[str, int]:
    """Embed up to ``limit`` chunks of published posts that lack a current vector."""
    rows = conn.execute(
        "SELECT c.id, c.heading, c.content, p.title FROM rag_chunks c JOIN posts p ON p.id = c.post_id"
        f" WHERE p.status = 'published' AND {_STALE} ORDER BY c.id LIMIT %(limit)s FOR UPDATE OF c SKIP LOCKED",
        {"model": embeddings.model_id, "limit": limit},
    ).fetchall()
    embedded = _embed_rows(conn, embeddings, rows)
    remaining = conn.execute(
        f"SELECT count(*) AS n FROM rag_chunks c JOIN posts p ON p.id = c.post_id"
        f" WHERE p.status = 'published' AND {_STALE}", {"model": embeddings.model_id},
    ).fetchone()
    # This transaction sees its own updates: what is counted is what is still to do.
    return {"embedded": embedded, "remaining": int(remaining["n"]) if remaining else 0}


def _embed_rows(conn: Db, embeddings: Embeddings, rows: list[dict[str, Any]]) -> int:
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start:start + BATCH_SIZE]
        vectors = embeddings.embed([embedding_text(r["title"], r["heading"], r["content"]) for r in batch])
        conn.execute(
            "UPDATE rag_chunks c SET embedding = v.e::vector, embedding_model = %s"
            " FROM unnest(%s::bigint[], %s::text[]) AS v(id, e) WHERE c.id = v.id",
            (embeddings.model_id, [r["id"] for r in batch], [vector_literal(v) for v in vectors]),
        )
    return len(rows)
