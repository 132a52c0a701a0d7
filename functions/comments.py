"""comments router: a post's comment tree, posting and deleting comments."""
from __future__ import annotations

from layers.core import db
from layers.core.pagination import Page
from layers.http.context import RequestContext
from layers.http.routing import Router
from layers.schemas.reader import CommentIn, CommentOut, CommentsQuery

router = Router("comments")


@router.get("/api/posts/{post_id}/comments", query=CommentsQuery, response=Page[CommentOut], errors=(404,))
def list_comments(ctx: RequestContext, post_id: int, query: CommentsQuery) -> dict:
    """Comments of a published post as a tree.

    Pages count top-level comments, oldest first; each carries all its visible replies (nested,
    oldest first, at most 8 levels). Everyone sees approved comments; a signed-in caller also
    sees their own comments still awaiting moderation (``is_approved: false``), and replies under
    them. Unknown or unpublished post: 404.
    """
    from layers.services import comments

    with db.connection() as conn:
        return comments.tree(conn, post_id, ctx.user_id, query)


@router.post("/api/posts/{post_id}/comments", auth="user", body=CommentIn, response=CommentOut, status=201,
             errors=(404,))
def post_comment(ctx: RequestContext, post_id: int, body: CommentIn) -> dict:
    """Comment on a published post, or reply with ``parent_id`` (a comment on the same post).

    The comment awaits moderation (an admin's is approved at once). A reply notifies the parent
    comment's author, unless they are replying to themselves. A parent that is not on this post,
    or that the caller cannot see, is a 422 on ``parent_id``; so is nesting deeper than 8 levels.
    """
    from layers.services import comments

    user = ctx.require_user()
    with db.connection() as conn:
        return comments.create(conn, post_id=post_id, author_id=user.id, author_name=user.name,
                               content=body.content, parent_id=body.parent_id, auto_approve=user.is_admin)


@router.delete("/api/comments/{comment_id}", auth="user", status=204, errors=(404,))
def delete_comment(ctx: RequestContext, comment_id: int) -> None:
    """Delete one's own comment, with its replies. Another user's comment answers 404 (an admin may
    delete any; moderation removals that notify the author are ``DELETE /api/admin/comments/{id}``)."""
    from layers.services import comments

    user = ctx.require_user()
    with db.connection() as conn:
        comments.delete(conn, comment_id, user.id, is_admin=user.is_admin)
