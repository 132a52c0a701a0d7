"""redirects router: old slugs that lead to the live one."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.pagination import Page, PageQuery
from layers.http.routing import Router
from layers.schemas.redirects import RedirectIn, RedirectOut, Resolved, ResolveQuery
from layers.services import redirects

router = Router("redirects")


@router.get("/api/redirects", auth="admin", query=PageQuery, response=Page[RedirectOut])
def list_redirects(db: Db, query: PageQuery) -> dict[str, Any]:
    """Every redirect, newest first."""
    return redirects.list_page(db, query)


@router.post("/api/redirects", auth="admin", body=RedirectIn, response=RedirectOut, status=201,
             errors=(400, 409))
def create_redirect(db: Db, body: RedirectIn) -> dict[str, Any]:
    """Make `old_slug` lead to `new_slug`.

    Chains collapse: when `new_slug` itself redirects, the stored target is its final target, and
    redirects that pointed at `old_slug` now point there too. A redirect that would loop answers
    409, as does an `old_slug` that a post still uses.
    """
    return redirects.create(db, body)


@router.get("/api/redirects/resolve", query=ResolveQuery, response=Resolved, errors=(404,))
def resolve(db: Db, query: ResolveQuery) -> dict[str, str]:
    """Where an old slug leads now: `{new_slug}`, or 404 when it is not redirected."""
    return redirects.target_of(db, query.slug)
