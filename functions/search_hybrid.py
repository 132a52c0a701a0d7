"""search_hybrid router: search by words and by meaning at once.

Its own function, because it embeds the query: onnxruntime and the model load here (once per
warm container, on first use) and never in the plain full-text search function.
"""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.pagination import Page
from layers.core.ports import Embeddings
from layers.core.settings import Settings
from layers.http.routing import Router
from layers.schemas.search_hybrid import HybridHit, HybridQuery

router = Router("search_hybrid", tag="search")


@router.get("/api/search/hybrid", query=HybridQuery, response=Page[HybridHit], rate_group="search", errors=(503,))
def hybrid_search(db: Db, viewer: CurrentUser | None, query: HybridQuery, redis: Any, embeddings: Embeddings,
                  settings: Settings) -> dict[str, Any]:
    """Published posts ranked by full-text and vector similarity, fused (reciprocal rank fusion).

    A question that shares no word with a post but means the same finds it. Only relevant posts
    are listed: similar enough in meaning, or holding every word of `q`. `snippet` is HTML-escaped
    with the query's words in `<mark>`; for a premium post and a caller without a subscription,
    matching and the snippet use the title and excerpt only. `total` counts the relevant posts
    (at most 100).
    """
    from layers.services import premium
    from layers.services.rag import hybrid_search as service

    return service.search(db, redis, embeddings, query.q, query, premium.has_full_access(viewer),
                          settings.hnsw_ef_search)
