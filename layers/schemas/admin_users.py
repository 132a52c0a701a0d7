"""Request and response models of the admin_users router."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

from layers.core.pagination import PageQuery
from layers.schemas.common import PatchModel, single_line

Role = Literal["user", "admin"]


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


_Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                  BeforeValidator(single_line)]
# ``?q=`` with nothing in it means "no filter", as a search box sends it.
SearchTerm = Annotated[_Term | None, BeforeValidator(_blank_is_none)]


class AdminUsersQuery(PageQuery):
    q: SearchTerm = Field(None, description="matches email or name, case-insensitively")
    role: Role | None = None
    is_active: bool | None = None


class AdminUserOut(BaseModel):
    id: int
    email: str
    name: str
    role: Role
    is_active: bool
    email_verified: bool
    is_premium: bool
    xp: int
    level: int
    created_at: datetime


class AdminUserPatch(PatchModel):
    role: Role | None = None
    is_active: bool | None = Field(None, strict=True)
