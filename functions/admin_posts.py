"""admin_posts router: every post, whatever its status, with activity counts."""
from __future__ import annotations

from layers.core import db
from layers.core.pagination import Page
from layers.http.context import RequestContext
from layers.http.routing import Router
from layers.schemas.admin import AdminPostOut, AdminPostsQuery

router = Router("admin_posts")


@router.get("/api/admin/posts", auth="admin", query=AdminPostsQuery, response=Page[AdminPostOut])
def list_posts(ctx: RequestContext, query: AdminPostsQuery) -> dict:
    """Posts of every status (``?status=draft|published|all``, ``?q`` on title or slug), most
    recently updated first, with all-time views, comments and comments awaiting moderation."""
    from layers.services import admin_posts

    with db.connection() as conn:
        return admin_posts.list_posts(conn, query.status, query.q, query)
