"""admin_posts router: every post, whatever its status, with activity counts."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.pagination import Page
from layers.http.routing import Router
from layers.schemas.admin_posts import AdminPostOut, AdminPostsQuery
from layers.services import admin_posts

router = Router("admin_posts")


@router.get("/api/admin/posts", auth="admin", query=AdminPostsQuery, response=Page[AdminPostOut])
def list_posts(db: Db, query: AdminPostsQuery) -> dict[str, Any]:
    """Posts of every status (``?status=draft|published|all``, ``?q`` on title or slug), most
    recently updated first, with all-time views, comments and comments awaiting moderation."""
    return admin_posts.list_posts(db, query)
