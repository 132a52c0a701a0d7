"""posts router: the public list and post pages, admin writes, views and reactions.

Every route under ``/api/posts/`` names its path variable ``post_ref`` (API Gateway allows one
variable name per path level): on ``GET /api/posts/{post_ref}`` it holds the post's slug, on every
other route the post's id (``layers.http.path_refs``).
"""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.pagination import Page
from layers.core.ports import Clock
from layers.core.settings import Settings
from layers.http.context import RequestContext
from layers.http.path_refs import slug_lookup
from layers.http.routing import Router
from layers.schemas.post_parts import PostSummary
from layers.schemas.posts import PostCreate, PostListQuery, PostOut, PostUpdate, ReactionIn, ReactionOut, ViewRecorded
from layers.services import premium, reactions, views
from layers.services.posts import queries

# ``commands`` (the write path: revalidation, chunking, series, redirects) is imported by the
# handlers that write, so a cold start answering a read does not load it.

router = Router("posts")


@router.get("/api/posts", query=PostListQuery, response=Page[PostSummary])
def list_posts(db: Db, viewer: CurrentUser | None, query: PostListQuery) -> dict[str, Any]:
    """Published posts, newest first by default.

    Filters: `tag` (tag slug), `series` (series slug), `difficulty`, `q` (full-text, web search
    syntax; without a subscription a premium post matches on its title and excerpt only). `sort`:
    `newest`, `oldest` or `popular` (views). Premium posts are listed for everyone; for a caller
    without a subscription they carry `locked: true`.

    Counting strategy: `total` never costs a count over the whole table. A short page is the
    last one, so its total is known. Filtered by a tag alone, `total` is the tag's maintained
    post count (exact). Otherwise counting stops at max(1000, offset + page_size + 1) matching
    posts: `total` is exact up to 1,000 and beyond that a lower bound that still shows a next page
    exists. Pages are ordered along an index (published date or views, then id), so a page costs
    the same at 1k or 100k posts.
    """
    return queries.list_published(db, query, premium.has_full_access(viewer))


@router.get("/api/posts/{post_ref}", response=PostOut, errors=(301, 404))
def get_post(db: Db, viewer: CurrentUser | None, post_ref: str) -> dict[str, Any]:
    """One post by its slug.

    The path takes the slug (`/api/posts/understanding-postgresql-indexes`), not the id; an id
    answers 404 saying so. Drafts are visible to admins only (404 for anyone else). A former slug answers 301 with
    `Location` set to the post's current URL. A premium post read without a subscription has
    `locked: true` and only a preview of `content`.
    """
    with slug_lookup("post_ref", post_ref):
        return queries.get_visible(db, post_ref, viewer)


@router.post("/api/posts", auth="admin", body=PostCreate, response=PostOut, status=201, errors=(409,))
def create_post(db: Db, user: CurrentUser, body: PostCreate) -> dict[str, Any]:
    """Create a post (a draft unless `status` is `published`).

    `tags` and `series` take ids or slugs. Without `series_position` the post goes to the end of
    its series. Publishing queues the post for the search index.
    """
    from layers.services.posts import commands

    post_id = commands.create(db, user.id, body)
    return queries.get_for_admin(db, post_id)


@router.patch("/api/posts/{post_ref}", auth="admin", body=PostUpdate, response=PostOut, errors=(404, 409))
def update_post(db: Db, post_ref: int, body: PostUpdate) -> dict[str, Any]:
    """Change only the fields sent. A new slug records a redirect from the old one.

    `tags` replaces the post's tags; `series: null` takes the post out of its series.
    """
    from layers.services.posts import commands

    commands.update(db, post_ref, body)
    return queries.get_for_admin(db, post_ref)


@router.delete("/api/posts/{post_ref}", auth="admin", status=204, errors=(404,))
def delete_post(db: Db, post_ref: int) -> None:
    """Delete a post with its comments, views, reactions and search chunks."""
    from layers.services.posts import commands

    commands.delete(db, post_ref)


@router.post("/api/posts/{post_ref}/publish", auth="admin", response=PostOut, errors=(404,))
def toggle_publish(db: Db, post_ref: int) -> dict[str, Any]:
    """Toggle draft/published. Either way the post is queued for re-indexing in search."""
    from layers.services.posts import commands

    commands.toggle_publish(db, post_ref)
    return queries.get_for_admin(db, post_ref)


@router.post("/api/posts/{post_ref}/view", response=ViewRecorded, status=202, errors=(404,))
def record_view(db: Db, viewer: CurrentUser | None, request: RequestContext, settings: Settings, clock: Clock,
                post_ref: int) -> dict[str, bool]:
    """Record a view of a published post, once per client per post per hour.

    The client is the signed-in user, or else a daily-rotated keyed hash of the caller's IP
    address (the address itself is never stored). `counted` is false for a repeat view.
    """
    user_id = viewer.id if viewer else None
    return {"counted": views.record(db, settings, post_ref, user_id, request.client_ip, clock.now())}


@router.put("/api/posts/{post_ref}/reaction", auth="user", body=ReactionIn, response=ReactionOut, errors=(404,))
def set_reaction(db: Db, user: CurrentUser, post_ref: int, body: ReactionIn) -> dict[str, Any]:
    """Set or change the caller's reaction (one per user per post)."""
    return reactions.set_reaction(db, user.id, post_ref, body.reaction_type)


@router.delete("/api/posts/{post_ref}/reaction", auth="user", status=204, errors=(404,))
def remove_reaction(db: Db, user: CurrentUser, post_ref: int) -> None:
    """Remove the caller's reaction, if any."""
    reactions.remove_reaction(db, user.id, post_ref)
