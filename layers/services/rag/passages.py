"""Loading retrieved chunks with their posts, in rank order, as passages and as API sources."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from layers.core.db import Db
from layers.core.ports import Passage
from layers.services.chunking import truncate_words
from layers.services.rag import retrieval

SNIPPET_WORDS = 40


def load(conn: Db, ranked: Sequence[tuple[int, float]], full_access: bool) -> list[dict[str, Any]]:
    """Rows ``chunk_id, post_id, slug, title, heading, content, score`` for ``(chunk_id, score)``
    pairs, in the given order. Chunks the caller may no longer be given (their post unpublished,
    or made premium, since they were ranked) are left out: this is the last read before text
    leaves, so it checks the post again."""
    if not ranked:
        return []
    rows = conn.execute(
        "SELECT c.id AS chunk_id, c.post_id, p.slug, p.title, c.heading, c.content"
        " FROM rag_chunks c JOIN posts p ON p.id = c.post_id"
        f" WHERE c.id = ANY(%(ids)s) AND {retrieval.VISIBLE}",
        {"ids": [chunk_id for chunk_id, _ in ranked], "full": full_access},
    ).fetchall()
    by_id = {r["chunk_id"]: r for r in rows}
    return [{**by_id[chunk_id], "score": round(score, 6)} for chunk_id, score in ranked if chunk_id in by_id]


def as_passage(row: dict[str, Any]) -> Passage:
    return Passage(chunk_id=row["chunk_id"], post_id=row["post_id"], title=row["title"],
                   text=row["content"], score=row["score"])


def as_source(row: dict[str, Any]) -> dict[str, Any]:
    """The API's source shape: plain text (not HTML), the chunk's opening words."""
    return {"post_id": row["post_id"], "slug": row["slug"], "title": row["title"], "chunk_id": row["chunk_id"],
            "heading": row["heading"], "snippet": truncate_words(" ".join(row["content"].split()), SNIPPET_WORDS),
            "score": row["score"]}
