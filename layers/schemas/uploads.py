"""Request and response models of the uploads router."""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

from layers.schemas.common import StrictModel, single_line


class UploadIn(StrictModel):
    filename: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
                        BeforeValidator(single_line)]
    content_type: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1,
                                                   max_length=100)]
    size: Annotated[int, Field(strict=True, ge=1, description="bytes")]


class UploadOut(BaseModel):
    upload_id: int
    url: str = Field(description="POST a multipart form here: every entry of `fields`, then `file`")
    fields: dict[str, str]
    key: str
    content_type: str
    max_bytes: int
    expires_in: int = Field(description="seconds the form stays valid")
