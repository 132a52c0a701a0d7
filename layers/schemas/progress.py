"""Request and response models of the progress router."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from layers.schemas.common import StrictModel
from layers.schemas.post_parts import PostSummary, SeriesRef

ReadSeconds = Annotated[int, Field(strict=True, ge=0, le=86_400)]


class ReadIn(StrictModel):
    read_time_spent: ReadSeconds | None = Field(
        None, description="seconds spent reading; the largest value reported is kept")


class ReadOut(BaseModel):
    post_id: int
    completed_at: datetime
    read_time_spent: int
    xp_awarded: int = Field(description="XP granted by this call: only the first read of a post earns XP")
    xp: int
    level: int


class ProgressItem(BaseModel):
    post: PostSummary
    completed_at: datetime
    read_time_spent: int


class SeriesProgressPost(BaseModel):
    id: int
    slug: str
    title: str
    position: int | None
    is_premium: bool
    locked: bool
    read: bool
    completed_at: datetime | None


class SeriesProgress(BaseModel):
    series: SeriesRef
    read: int
    total: int
    percent: int = Field(description="Rounded down.")
    completed: bool
    posts: list[SeriesProgressPost]


class ProgressStats(BaseModel):
    posts_read: int
    total_read_time_seconds: int
    series_completed: int
    series_in_progress: int
    xp: int
    level: int
