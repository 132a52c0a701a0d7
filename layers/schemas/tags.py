"""Request and response models of the tags router (``TagOut`` is a post part)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, StringConstraints

from layers.core.pagination import PageQuery
from layers.schemas.common import Id, PatchModel, StrictModel, visible_name
from layers.schemas.post_parts import Slug, TagOut

TagName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60),
                    BeforeValidator(visible_name)]


class TagListQuery(PageQuery):
    page_size: int = Field(100, ge=1, le=100)
    sort: Literal["name", "popular"] = "name"


class TagCreate(StrictModel):
    name: TagName
    slug: Slug | None = Field(None, description="Derived from the name when left out.")


class TagUpdate(PatchModel):
    name: TagName | None = None
    slug: Slug | None = None


class TagMerge(StrictModel):
    source_ids: list[Id] = Field(min_length=1, max_length=100)
    target_id: Id


__all__ = ["TagListQuery", "TagCreate", "TagUpdate", "TagMerge", "TagOut", "TagName"]
