"""redirects router: old slugs that lead to the live one."""
from __future__ import annotations

from layers.core import db
from layers.core.errors import NotFound
from layers.core.pagination import Page, PageQuery
from layers.http.context import RequestContext
from layers.http.routing import Router
from layers.schemas.content import RedirectIn, RedirectOut, Resolved, ResolveQuery

router = Router("redirects")


@router.get("/api/redirects", auth="admin", query=PageQuery, response=Page[RedirectOut])
def list_redirects(ctx: RequestContext, query: PageQuery) -> dict:
    """Every redirect, newest first."""
    from layers.services import redirects

    with db.connection() as conn:
        return redirects.list_page(conn, query)


@router.post("/api/redirects", auth="admin", body=RedirectIn, response=RedirectOut, status=201,
             errors=(400, 409))
def create_redirect(ctx: RequestContext, body: RedirectIn) -> dict:
    """Make `old_slug` lead to `new_slug`.

    Chains collapse: when `new_slug` itself redirects, the stored target is its final target, and
    redirects that pointed at `old_slug` now point there too. A redirect that would loop answers
    409, as does an `old_slug` that a post still uses.
    """
    from layers.services import redirects

    with db.connection() as conn:
        return redirects.create(conn, body.old_slug, body.new_slug)


@router.get("/api/redirects/resolve", query=ResolveQuery, response=Resolved, errors=(404,))
def resolve(ctx: RequestContext, query: ResolveQuery) -> dict:
    """Where an old slug leads now: `{new_slug}`, or 404 when it is not redirected."""
    from layers.schemas.content import SLUG_RE
    from layers.services import redirects

    target = None
    if SLUG_RE.fullmatch(query.slug):
        with db.connection() as conn:
            target = redirects.resolve(conn, query.slug)
    if target is None:
        raise NotFound("no redirect for this slug")
    return {"new_slug": target}
