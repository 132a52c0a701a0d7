"""search router: full-text search over published posts."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.pagination import Page
from layers.http.routing import Router
from layers.schemas.search import SearchHit, SearchQuery
from layers.services import premium
from layers.services import search as search_service

router = Router("search")


@router.get("/api/search", query=SearchQuery, response=Page[SearchHit])
def search(db: Db, viewer: CurrentUser | None, query: SearchQuery) -> dict[str, Any]:
    """Full-text search over published posts, best match first, with highlighted snippets.

    `q` uses web search syntax (`"exact phrase"`, `or`, `-excluded`); any input is accepted, and
    an empty `q` answers 422. Matches in the title count most, then the excerpt, then the body.
    `snippet` is HTML-escaped with matches wrapped in `<mark>`; for a premium post and a caller
    without a subscription it quotes the excerpt only. `total` is exact.
    """
    return search_service.search(db, query, premium.has_full_access(viewer))
