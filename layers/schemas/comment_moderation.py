"""Request and response models of the comment_moderation router."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from layers.core.pagination import PageQuery
from layers.schemas.post_parts import CommentAuthorOut, PostRef

ModerationStatus = Literal["pending", "approved", "all"]


class ModerationQuery(PageQuery):
    status: ModerationStatus = "pending"


class ModerationComment(BaseModel):
    id: int
    post: PostRef
    parent_id: int | None
    author: CommentAuthorOut
    content: str
    is_approved: bool
    created_at: datetime
