"""Request and response models of the settings router."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from layers.schemas.common import DisplayName, LongText, PatchModel

Theme = Literal["light", "dark", "system"]


class SettingsOut(BaseModel):
    name: str
    email: str
    theme: Theme
    email_notifications: bool
    digest_opt_in: bool
    bio: str


class SettingsPatch(PatchModel):
    """Every field optional; none may be null (an empty bio is ``""``)."""

    name: DisplayName | None = None
    theme: Theme | None = None
    email_notifications: bool | None = None
    digest_opt_in: bool | None = None
    bio: Annotated[LongText, Field(max_length=1000)] | None = None
