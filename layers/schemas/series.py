"""Request and response models of the series router."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

from layers.schemas.common import PatchModel, StrictModel, multi_line
from layers.schemas.post_parts import Slug, Title

Description = Annotated[str, StringConstraints(max_length=5000), BeforeValidator(multi_line)]


class SeriesPost(BaseModel):
    id: int
    slug: str
    title: str
    position: int | None


class SeriesProgress(BaseModel):
    completed: int
    total: int
    percent: float = Field(description="Rounded down to one decimal place.")
    completed_post_ids: list[int]


class SeriesOut(BaseModel):
    id: int
    slug: str
    title: str
    description: str
    post_count: int
    posts: list[SeriesPost]
    progress: SeriesProgress | None = Field(None, description="The caller's progress when signed in.")
    created_at: datetime
    updated_at: datetime


class SeriesNavigation(BaseModel):
    previous: SeriesPost | None
    next: SeriesPost | None


class NavigationQuery(BaseModel):
    post: Slug = Field(description="Slug of the post being read.")


class SeriesCreate(StrictModel):
    title: Title
    slug: Slug | None = Field(None, description="Derived from the title when left out.")
    description: Description = ""


class SeriesUpdate(PatchModel):
    title: Title | None = None
    slug: Slug | None = None
    description: Description | None = None
