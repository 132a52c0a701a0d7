"""Request and response models of the admin_users router."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from layers.core.pagination import PageQuery
from layers.schemas.common import PatchModel, SearchBox

Role = Literal["user", "admin"]




class AdminUsersQuery(PageQuery):
    q: SearchBox = Field(None, description="matches email or name, case-insensitively")
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
