"""Request and response models of the comments router."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, StringConstraints

from layers.core.pagination import PageQuery
from layers.schemas.common import Id, StrictModel, multi_line
from layers.schemas.post_parts import CommentAuthorOut

CommentText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000),
                        BeforeValidator(multi_line)]


class CommentIn(StrictModel):
    content: CommentText
    parent_id: Id | None = None


class CommentOut(BaseModel):
    id: int
    post_id: int
    parent_id: int | None
    author: CommentAuthorOut
    content: str
    is_approved: bool
    is_deleted: bool = False  # deleted by its author while it had replies: a placeholder
    created_at: datetime
    replies: list[CommentOut] = []


class CommentsQuery(PageQuery):
    """Pages count top-level comments; each comes with all its visible replies."""
