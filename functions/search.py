"""search router: full-text search over published posts."""
from __future__ import annotations

from layers.core import db
from layers.core.pagination import Page
from layers.http.context import RequestContext
from layers.http.routing import Router
from layers.schemas.content import SearchHit, SearchQuery

router = Router("search")


@router.get("/api/search", query=SearchQuery, response=Page[SearchHit])
def search(ctx: RequestContext, query: SearchQuery) -> dict:
    """Full-text search over published posts, best match first, with highlighted snippets.

    `q` uses web search syntax (`"exact phrase"`, `or`, `-excluded`); any input is accepted, and
    an empty `q` answers 422. Matches in the title count most, then the excerpt, then the body.
    `snippet` is HTML-escaped with matches wrapped in `<mark>`; for a premium post and a caller
    without a subscription it quotes the excerpt only. `total` is exact.
    """
    from layers.services import premium
    from layers.services import search as search_service

    with db.connection() as conn:
        return search_service.search(conn, query, premium.has_full_access(ctx.user))
