"""Request and response models of the bookmarks router."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from layers.schemas.common import Id, StrictModel
from layers.schemas.post_parts import PostSummary


class BookmarkIn(StrictModel):
    post_id: Id


class BookmarkOut(BaseModel):
    post_id: int
    created_at: datetime
    post: PostSummary  # no body; ``locked`` for premium posts the caller cannot read in full


class BookmarkStatus(BaseModel):
    bookmarked: bool
