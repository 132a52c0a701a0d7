"""tags router: tags with their published-post counts, management and merging."""
from __future__ import annotations

from layers.core import db
from layers.core.pagination import Page
from layers.http.context import RequestContext
from layers.http.routing import Router
from layers.schemas.content import TagCreate, TagListQuery, TagMerge, TagOut, TagUpdate

router = Router("tags")


@router.get("/api/tags", query=TagListQuery, response=Page[TagOut])
def list_tags(ctx: RequestContext, query: TagListQuery) -> dict:
    """Every tag with `post_count` (published posts), by name or (`sort=popular`) by count."""
    from layers.services import tags

    with db.connection() as conn:
        return tags.list_page(conn, query, query.sort)


@router.post("/api/tags", auth="admin", body=TagCreate, response=TagOut, status=201, errors=(409,))
def create_tag(ctx: RequestContext, body: TagCreate) -> dict:
    """Create a tag; the slug is derived from the name when left out."""
    from layers.services import tags

    with db.connection() as conn:
        return tags.create(conn, body.name, body.slug)


@router.post("/api/tags/merge", auth="admin", body=TagMerge, response=TagOut, errors=(400, 404))
def merge_tags(ctx: RequestContext, body: TagMerge) -> dict:
    """Move every post of `source_ids` to `target_id` and delete the sources, in one transaction."""
    from layers.services import tags

    with db.connection() as conn:
        return tags.merge(conn, body.source_ids, body.target_id)


@router.patch("/api/tags/{tag_id}", auth="admin", body=TagUpdate, response=TagOut, errors=(404, 409))
def update_tag(ctx: RequestContext, tag_id: int, body: TagUpdate) -> dict:
    """Rename a tag or change its slug."""
    from layers.services import tags

    with db.connection() as conn:
        return tags.update(conn, tag_id, body.model_dump(include=body.model_fields_set))


@router.delete("/api/tags/{tag_id}", auth="admin", status=204, errors=(404,))
def delete_tag(ctx: RequestContext, tag_id: int) -> None:
    """Delete a tag; its posts lose it."""
    from layers.services import tags

    with db.connection() as conn:
        tags.delete(conn, tag_id)
