"""The two rankings of hybrid retrieval and their fusion.

- Full-text: the query's words OR-ed (``plainto_tsquery`` with ``&`` turned into ``|``), ranked
  with ``ts_rank_cd``, so a question whose words only partly occur still ranks the chunks that
  have most of them. ``all_terms`` says whether the text holds every word (websearch semantics).
- Vector: cosine distance over the HNSW index, ``hnsw.ef_search`` from the settings, with
  pgvector's iterative scan so that filtering (gating, published posts) cannot starve a page.

Reciprocal rank fusion (``score = sum weight / (RRF_K + rank)``) merges them without comparing
their scores, which live on unrelated scales. The full-text ranking weighs 0.75 of the vector
ranking: with equal weights, posts that hold many of a question's common words pushed the right
post off first place (hit@1 0.84 against 0.93 on the evaluation set when the weights were chosen,
``benchmarks/search_quality.py``). A candidate is relevant when its vector is similar enough to
the query's (``MIN_SIMILARITY``) or its text holds every word of the query: a word that merely
occurs somewhere ("best") never pulls in an unrelated text on its own.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from layers.core.db import Db
from layers.services.rag.indexing import vector_literal

K = TypeVar("K", bound=Hashable)
RRF_K = 60
POOL = 200
TEXT_WEIGHT, VECTOR_WEIGHT = 0.75, 1.0
CANDIDATES = 50
# Cosine similarity under all-MiniLM-L6-v2 from which a chunk counts as being about the query: on
# the evaluation set the answering post's best chunk scores 0.26 and up (median 0.47), while no
# chunk of the demo posts reaches 0.21 for a question they do not answer.
MIN_SIMILARITY = 0.25

# Which chunks a caller may be given, decided by the post as it is now (never by a copy on the
# chunk, which the re-embedding task would refresh only later): its post is published, and not
# premium unless the caller has full access. ``%(full)s`` is that flag; posts are aliased ``p``.
VISIBLE = "(p.status = 'published' AND (%(full)s OR NOT p.is_premium))"

_TERMS = """
    WITH q AS (SELECT replace(plainto_tsquery('english', %(q)s)::text, ' & ', ' | ')::tsquery AS any_term,
                      websearch_to_tsquery('english', %(q)s) AS all_terms)
"""
# Ranking every match costs too much when a query's words are common (a word in half the chunks
# ranks 50,000 rows at 100k chunks), so at most POOL chunks holding every word and POOL holding
# any word are ranked. A query of only common words then ranks an arbitrary part of its matches:
# such words say little, and the vector ranking carries that query.
TEXT_CHUNKS = _TERMS + """,
    pool AS (
        (SELECT c.id FROM q, rag_chunks c JOIN posts p ON p.id = c.post_id
            WHERE c.search_vector @@ q.all_terms AND """ + VISIBLE + """ LIMIT %(pool)s)
        UNION
        (SELECT c.id FROM q, rag_chunks c JOIN posts p ON p.id = c.post_id
            WHERE c.search_vector @@ q.any_term AND """ + VISIBLE + """ LIMIT %(pool)s))
    SELECT c.id AS chunk_id, c.post_id, ts_rank_cd(c.search_vector, q.any_term) AS rank,
           c.search_vector @@ q.all_terms AS all_terms,
           CASE WHEN c.embedding_model = %(model)s THEN 1 - (c.embedding <=> %(v)s::vector) END AS similarity
    FROM q, pool JOIN rag_chunks c ON c.id = pool.id
    ORDER BY rank DESC, c.id LIMIT %(k)s
"""
# Premium posts as a caller without full access may match them: on title and excerpt only
# (public_search_vector, with a partial GIN index on premium posts).
TEXT_LOCKED_POSTS = _TERMS + """
    SELECT p.id AS post_id, ts_rank_cd(p.public_search_vector, q.any_term) AS rank,
           p.public_search_vector @@ q.all_terms AS all_terms
    FROM q, posts p
    WHERE p.is_premium AND p.status = 'published' AND p.public_search_vector @@ q.any_term
    ORDER BY rank DESC, p.id DESC LIMIT %(k)s
"""
VECTOR_CHUNKS = """
    SELECT c.id AS chunk_id, c.post_id, 1 - (c.embedding <=> %(v)s::vector) AS similarity
    FROM rag_chunks c JOIN posts p ON p.id = c.post_id
    WHERE """ + VISIBLE + """ AND c.embedding_model = %(model)s AND c.post_id <> %(exclude)s
    ORDER BY c.embedding <=> %(v)s::vector LIMIT %(k)s
"""


@dataclass(frozen=True)
class TextHit:
    key: int  # chunk id or post id
    post_id: int
    rank: float
    all_terms: bool
    similarity: float | None = None  # the chunk's, to the query; None without a current vector

    @property
    def relevant(self) -> bool:
        return self.all_terms or (self.similarity is not None and self.similarity >= MIN_SIMILARITY)


@dataclass(frozen=True)
class VectorHit:
    chunk_id: int
    post_id: int
    similarity: float


def text_chunks(conn: Db, q: str, vector: Sequence[float] | None, model_id: str, full_access: bool,
                k: int = CANDIDATES) -> list[TextHit]:
    """Chunks by full-text rank, each with its similarity to the query's ``vector`` (when given)."""
    literal = None if vector is None else vector_literal(vector)
    rows = conn.execute(TEXT_CHUNKS, {"q": q, "v": literal, "model": model_id, "full": full_access,
                                      "k": k, "pool": POOL}).fetchall()
    return [TextHit(r["chunk_id"], r["post_id"], float(r["rank"]), bool(r["all_terms"]),
                    None if r["similarity"] is None else float(r["similarity"])) for r in rows]


def text_locked_posts(conn: Db, q: str, k: int = CANDIDATES) -> list[TextHit]:
    """Premium posts matched on title and excerpt (``key`` is the post id)."""
    rows = conn.execute(TEXT_LOCKED_POSTS, {"q": q, "k": k}).fetchall()
    return [TextHit(r["post_id"], r["post_id"], float(r["rank"]), bool(r["all_terms"])) for r in rows]


def vector_chunks(conn: Db, vector: Sequence[float] | None, model_id: str, full_access: bool, ef_search: int,
                  k: int = CANDIDATES, exclude_post: int = 0) -> list[VectorHit]:
    """The ``k`` nearest chunks (approximately: HNSW), most similar first; none without a vector."""
    if vector is None:
        return []
    with conn.transaction():
        conn.execute("SELECT set_config('hnsw.ef_search', %s, true),"
                     " set_config('hnsw.iterative_scan', 'relaxed_order', true)", (str(ef_search),))
        rows = conn.execute(VECTOR_CHUNKS, {"v": vector_literal(vector), "model": model_id,
                                            "full": full_access, "k": k, "exclude": exclude_post}).fetchall()
    hits = [VectorHit(r["chunk_id"], r["post_id"], float(r["similarity"])) for r in rows]
    # relaxed_order may return neighbours slightly out of order; the ranking must not be.
    return sorted(hits, key=lambda h: -h.similarity)


def rrf(text: Sequence[K], vector: Sequence[K], k: int = RRF_K) -> dict[K, float]:
    """Weighted reciprocal rank fusion of the two best-first rankings: key -> fused score."""
    scores: dict[K, float] = {}
    for ranking, weight in ((vector, VECTOR_WEIGHT), (text, TEXT_WEIGHT)):
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    return scores


def fused_order(scores: dict[K, float]) -> list[K]:
    """Best first; ties keep the order of first appearance (the vector ranking's order)."""
    return sorted(scores, key=scores.__getitem__, reverse=True)


def best_per_post(hits: Iterable[VectorHit]) -> dict[int, VectorHit]:
    """Each post's most similar chunk (hits come most similar first)."""
    best: dict[int, VectorHit] = {}
    for hit in hits:
        best.setdefault(hit.post_id, hit)
    return best


def relevant_vector_hits(hits: Sequence[VectorHit], min_similarity: float = MIN_SIMILARITY) -> list[VectorHit]:
    return [h for h in hits if h.similarity >= min_similarity]


def relevant_text_hits(hits: Sequence[TextHit]) -> list[TextHit]:
    """Text hits that hold every word of the query, or whose vector is similar enough."""
    return [h for h in hits if h.relevant]
