"""posts router: the public list and post pages, admin writes, views and reactions.

Every route under ``/api/posts/`` names its path variable ``post_id`` (API Gateway allows one
variable name per path level); on ``GET /api/posts/{post_id}`` it holds the post's slug.
"""
from __future__ import annotations

from layers.core import db
from layers.core.pagination import Page
from layers.core.settings import get_settings
from layers.http.context import RequestContext
from layers.http.routing import Router
from layers.schemas.content import (
    PostCreate,
    PostListQuery,
    PostOut,
    PostSummary,
    PostUpdate,
    ReactionIn,
    ReactionOut,
    ViewRecorded,
)

router = Router("posts")


@router.get("/api/posts", query=PostListQuery, response=Page[PostSummary])
def list_posts(ctx: RequestContext, query: PostListQuery) -> dict:
    """Published posts, newest first by default.

    Filters: `tag` (tag slug), `series` (series slug), `difficulty`, `q` (full-text, web search
    syntax). `sort`: `newest`, `oldest` or `popular` (views). Premium posts are listed for everyone;
    for a caller without a subscription they carry `locked: true`.

    Counting strategy: `total` never costs a count over the whole table. A short page is the
    last one, so its total is known. Filtered by a tag alone, `total` is the tag's maintained
    post count (exact). Otherwise counting stops at max(1000, offset + page_size + 1) matching
    posts: `total` is exact up to 1,000 and beyond that a lower bound that still shows a next page
    exists. Pages are ordered along an index (published date or views, then id), so a page costs
    the same at 1k or 100k posts.
    """
    from layers.services import premium
    from layers.services.posts import queries

    with db.connection() as conn:
        return queries.list_published(conn, query, premium.has_full_access(ctx.user))


@router.get("/api/posts/{post_id}", response=PostOut, errors=(301, 404))
def get_post(ctx: RequestContext, post_id: str) -> dict:
    """One post by its slug (the path variable holds the slug).

    Drafts are visible to admins only (404 for anyone else). A former slug answers 301 with
    `Location` set to the post's current URL. A premium post read without a subscription has
    `locked: true` and only a preview of `content`.
    """
    from layers.services.posts import queries

    with db.connection() as conn:
        return queries.get_visible(conn, post_id, ctx.user)


@router.post("/api/posts", auth="admin", body=PostCreate, response=PostOut, status=201, errors=(409,))
def create_post(ctx: RequestContext, body: PostCreate) -> dict:
    """Create a post (a draft unless `status` is `published`).

    `tags` and `series` take ids or slugs. Without `series_position` the post goes to the end of
    its series. Publishing queues the post for the search index.
    """
    from layers.services.posts import commands, queries

    with db.connection() as conn:
        post_id = commands.create(conn, ctx.require_user().id, body.model_dump())
        return queries.get_for_admin(conn, post_id)


@router.patch("/api/posts/{post_id}", auth="admin", body=PostUpdate, response=PostOut, errors=(404, 409))
def update_post(ctx: RequestContext, post_id: int, body: PostUpdate) -> dict:
    """Change only the fields sent. A new slug records a redirect from the old one.

    `tags` replaces the post's tags; `series: null` takes the post out of its series.
    """
    from layers.services.posts import commands, queries

    with db.connection() as conn:
        commands.update(conn, post_id, body.model_dump(include=body.model_fields_set))
        return queries.get_for_admin(conn, post_id)


@router.delete("/api/posts/{post_id}", auth="admin", status=204, errors=(404,))
def delete_post(ctx: RequestContext, post_id: int) -> None:
    """Delete a post with its comments, views, reactions and search chunks."""
    from layers.services.posts import commands

    with db.connection() as conn:
        commands.delete(conn, post_id)


@router.post("/api/posts/{post_id}/publish", auth="admin", response=PostOut, errors=(404,))
def toggle_publish(ctx: RequestContext, post_id: int) -> dict:
    """Toggle draft/published. Either way the post is queued for re-indexing in search."""
    from layers.services.posts import commands, queries

    with db.connection() as conn:
        commands.toggle_publish(conn, post_id)
        return queries.get_for_admin(conn, post_id)


@router.post("/api/posts/{post_id}/view", response=ViewRecorded, status=202, errors=(404,))
def record_view(ctx: RequestContext, post_id: int) -> dict:
    """Record a view of a published post, once per client per post per hour.

    The client is the signed-in user, or else a daily-rotated keyed hash of the caller's IP
    address (the address itself is never stored). `counted` is false for a repeat view.
    """
    from layers.services import views

    with db.connection() as conn:
        counted = views.record(conn, get_settings(), post_id, ctx.user_id, ctx.client_ip)
    return {"counted": counted}


@router.put("/api/posts/{post_id}/reaction", auth="user", body=ReactionIn, response=ReactionOut, errors=(404,))
def set_reaction(ctx: RequestContext, post_id: int, body: ReactionIn) -> dict:
    """Set or change the caller's reaction (one per user per post)."""
    from layers.services import reactions

    with db.connection() as conn:
        return reactions.set_reaction(conn, ctx.require_user().id, post_id, body.reaction_type)


@router.delete("/api/posts/{post_id}/reaction", auth="user", status=204, errors=(404,))
def remove_reaction(ctx: RequestContext, post_id: int) -> None:
    """Remove the caller's reaction, if any."""
    from layers.services import reactions

    with db.connection() as conn:
        reactions.remove_reaction(conn, ctx.require_user().id, post_id)
