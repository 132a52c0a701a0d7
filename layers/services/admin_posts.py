"""The admin's post list: every status, with view and comment counts."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.pagination import paginate
from layers.schemas.admin_posts import AdminPostsQuery
from layers.services.text_match import contains_pattern

# Comment counts are correlated subqueries: the outer LIMIT lets PostgreSQL compute them only for
# the rows of the page, each through ``comments_post_idx``.
_LIST_SQL = """
SELECT p.id, p.slug, p.title, p.status, p.difficulty, p.is_premium, p.view_count,
       p.published_at, p.created_at, p.updated_at,
       CASE WHEN pa.id IS NULL THEN NULL ELSE jsonb_build_object('id', pa.id, 'name', pa.name) END AS author,
       CASE WHEN ps.id IS NULL THEN NULL
            ELSE jsonb_build_object('id', ps.id, 'slug', ps.slug, 'title', ps.title) END AS series,
       (SELECT count(*) FROM comments c WHERE c.post_id = p.id) AS comment_count,
       (SELECT count(*) FROM comments c WHERE c.post_id = p.id AND NOT c.is_approved) AS pending_comment_count
FROM posts p LEFT JOIN users pa ON pa.id = p.author_id LEFT JOIN series ps ON ps.id = p.series_id
WHERE {where}
"""


def list_posts(conn: Db, query: AdminPostsQuery) -> dict[str, Any]:
    """Most recently updated first; ``status`` is draft, published or all; ``q`` matches title or slug."""
    clauses: list[str] = ["TRUE"]
    params: dict[str, str] = {}
    if query.status != "all":
        clauses.append("p.status = %(status)s")
        params["status"] = query.status
    if query.q:
        clauses.append("(p.title ILIKE %(pattern)s OR p.slug ILIKE %(pattern)s)")
        params["pattern"] = contains_pattern(query.q)
    return paginate(conn, _LIST_SQL.format(where=" AND ".join(clauses)), params, query,
                    "updated_at DESC, id DESC")
