"""tags router: tags with their published-post counts, management and merging."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.pagination import Page
from layers.http.routing import Router
from layers.schemas.tags import TagCreate, TagListQuery, TagMerge, TagOut, TagUpdate
from layers.services import tags

router = Router("tags")


@router.get("/api/tags", query=TagListQuery, response=Page[TagOut])
def list_tags(db: Db, query: TagListQuery) -> dict[str, Any]:
    """Every tag with `post_count` (published posts), by name or (`sort=popular`) by count."""
    return tags.list_page(db, query)


@router.post("/api/tags", auth="admin", body=TagCreate, response=TagOut, status=201, errors=(409,))
def create_tag(db: Db, body: TagCreate) -> dict[str, Any]:
    """Create a tag; the slug is derived from the name when left out."""
    return tags.create(db, body)


@router.post("/api/tags/merge", auth="admin", body=TagMerge, response=TagOut, errors=(400, 404))
def merge_tags(db: Db, body: TagMerge) -> dict[str, Any]:
    """Move every post of `source_ids` to `target_id` and delete the sources, in one transaction."""
    return tags.merge(db, body)


@router.patch("/api/tags/{tag_id}", auth="admin", body=TagUpdate, response=TagOut, errors=(404, 409))
def update_tag(db: Db, tag_id: int, body: TagUpdate) -> dict[str, Any]:
    """Rename a tag or change its slug."""
    return tags.update(db, tag_id, body)


@router.delete("/api/tags/{tag_id}", auth="admin", status=204, errors=(404,))
def delete_tag(db: Db, tag_id: int) -> None:
    """Delete a tag; its posts lose it."""
    tags.delete(db, tag_id)
