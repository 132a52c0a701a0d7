"""rag router: Ask AI (answers with citations) and related reading, over the retrieval chunks."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.ports import AnswerGenerator, Embeddings
from layers.core.settings import Settings
from layers.http.routing import Router
from layers.schemas.rag import AskIn, AskOut, RelatedOut, RelatedQuery

router = Router("rag")


@router.post("/api/rag/ask", auth="user", body=AskIn, response=AskOut, rate_group="rag", errors=(503,))
def ask(db: Db, user: CurrentUser, body: AskIn, redis: Any, embeddings: Embeddings, answers: AnswerGenerator,
        settings: Settings) -> dict[str, Any]:
    """Answer a question from the published posts, citing them.

    The best chunks are retrieved by words and by meaning (premium chunks only for callers with a
    subscription) and answered from: offline, an extractive answer quoting their best sentences
    (`extractive: true`); with a hosted model configured, a generated one. `[n]` in `answer` refers
    to the n-th source. When no published post is relevant, `answer` says so and `sources` is empty.
    `question` is 3 to 500 characters. Rate-limited in its own group (`RATE_LIMIT_RAG`).
    """
    from layers.services import premium
    from layers.services.rag import ask as service

    return service.ask(db, redis, embeddings, answers, body.question, premium.has_full_access(user),
                       settings.hnsw_ef_search)


@router.get("/api/rag/related", query=RelatedQuery, response=RelatedOut, rate_group="rag", errors=(404, 503))
def related(db: Db, viewer: CurrentUser | None, query: RelatedQuery, redis: Any, embeddings: Embeddings,
            settings: Settings) -> dict[str, Any]:
    """The chunks nearest in meaning to a post (`post_id`, its own chunks left out) or to `q`.

    Exactly one of `post_id` and `q`. One chunk per post, nearest first, `score` the cosine
    similarity. Premium chunks only for callers with a subscription. An unknown or unpublished
    post answers 404.
    """
    from layers.services import premium
    from layers.services.rag import related as service

    return service.related(db, redis, embeddings, post_id=query.post_id, q=query.q, limit=query.limit,
                           full_access=premium.has_full_access(viewer), ef_search=settings.hnsw_ef_search)
