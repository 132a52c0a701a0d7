"""The one "published post or 404" guard."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.errors import NotFound


def published_post(conn: Db, post_id: int, *, lock: bool = False) -> dict[str, Any]:
    """``id, slug, title, is_premium, series_id`` of a published post; ``NotFound`` otherwise.

    Drafts and deleted posts are indistinguishable from ids that never existed. ``lock`` takes
    ``FOR SHARE`` so the post cannot be unpublished or deleted before the caller commits.
    """
    row = conn.execute(
        "SELECT id, slug, title, is_premium, series_id FROM posts WHERE id = %s AND status = 'published'"
        + (" FOR SHARE" if lock else ""),
        (post_id,),
    ).fetchone()
    if row is None:
        raise NotFound("post not found")
    result: dict[str, Any] = row
    return result
