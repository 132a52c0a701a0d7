"""Post summaries for the reader lists (bookmarks, progress, recommendations).

A reader list pages over its own rows (a bookmark, a read, a score) carrying the post ``id``, then
asks for the summaries of that page at once: the same hydration as ``GET /api/posts``
(``posts.queries.published_by_ids``), gated by ``premium.gate``, so a list item has the same shape
everywhere and never carries the body.
"""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.services import premium


def summaries(conn: Db, ids: list[int], full_access: bool) -> dict[int, dict[str, Any]]:
    """Gated summaries of the published posts among ``ids``, keyed by id."""
    from layers.services.posts.queries import published_by_ids

    return {post_id: premium.gate(post, full_access) for post_id, post in published_by_ids(conn, ids).items()}


def with_summaries(conn: Db, rows: list[dict[str, Any]], full_access: bool) -> list[dict[str, Any]]:
    """Each row (which has ``id``, a post id) with its summary under ``post``, in the same order.

    A post unpublished between the two queries drops out rather than showing half a row.
    """
    found = summaries(conn, [row["id"] for row in rows], full_access)
    return [{**row, "post": found[row["id"]]} for row in rows if row["id"] in found]
