"""Request and response models of the redirects router."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from layers.schemas.common import StrictModel
from layers.schemas.post_parts import Slug


class RedirectIn(StrictModel):
    old_slug: Slug
    new_slug: Slug


class RedirectOut(BaseModel):
    id: int
    old_slug: str
    new_slug: str
    created_at: datetime


class ResolveQuery(BaseModel):
    # Any text is accepted and a non-slug simply resolves nowhere (404), as a path would.
    slug: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Resolved(BaseModel):
    new_slug: str
