"""Request and response models of the notes router."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, StringConstraints

from layers.core.pagination import PageQuery
from layers.schemas.common import Id, PatchModel, StrictModel, multi_line, single_line

NoteTitle = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), BeforeValidator(single_line)]
NoteText = Annotated[str, StringConstraints(min_length=1, max_length=20000), BeforeValidator(multi_line)]


class NoteIn(StrictModel):
    post_id: Id | None = None
    title: NoteTitle = ""
    content: NoteText


class NotePatch(PatchModel):
    """Send only what changes; ``null`` is not a value for either field."""

    title: NoteTitle | None = None
    content: NoteText | None = None


class NoteOut(BaseModel):
    id: int
    post_id: int | None
    title: str
    content: str
    created_at: datetime
    updated_at: datetime


class NotesQuery(PageQuery):
    post_id: Id | None = None
