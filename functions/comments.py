"""comments router: a post's comment tree, posting and deleting comments."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.pagination import Page
from layers.http.routing import Router
from layers.schemas.comments import CommentIn, CommentOut, CommentsQuery
from layers.services import comments

router = Router("comments")


@router.get("/api/posts/{post_ref}/comments", query=CommentsQuery, response=Page[CommentOut], errors=(404,))
def list_comments(db: Db, viewer: CurrentUser | None, post_ref: int, query: CommentsQuery) -> dict[str, Any]:
    """Comments of a published post as a tree.

    Pages count top-level comments, oldest first; each carries all its visible replies (nested,
    oldest first, at most 8 levels). Everyone sees approved comments; a signed-in caller also
    sees their own comments still awaiting moderation (``is_approved: false``), and replies under
    them. Unknown or unpublished post: 404.
    """
    return comments.tree(db, post_ref, viewer.id if viewer else None, query)


@router.post("/api/posts/{post_ref}/comments", auth="user", body=CommentIn, response=CommentOut, status=201,
             errors=(404,))
def post_comment(db: Db, user: CurrentUser, post_ref: int, body: CommentIn) -> dict[str, Any]:
    """Comment on a published post, or reply with ``parent_id`` (a comment on the same post).

    The comment awaits moderation (an admin's is approved at once). A reply notifies the parent
    comment's author, unless they are replying to themselves. A parent that is not on this post,
    or that the caller cannot see, is a 422 on ``parent_id``; so is nesting deeper than 8 levels.
    """
    return comments.create(db, post_ref, user, body)


@router.delete("/api/comments/{comment_id}", auth="user", status=204, errors=(404,))
def delete_comment(db: Db, user: CurrentUser, comment_id: int) -> None:
    """Delete one's own comment, with its replies. Another user's comment answers 404 (an admin may
    delete any; moderation removals that notify the author are ``DELETE /api/admin/comments/{id}``)."""
    comments.delete(db, comment_id, user)
