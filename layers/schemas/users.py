"""User and token views."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class UserOut(BaseModel):
    """A user's own view of their account. Never carries a password hash or tokens."""

    id: int
    email: str
    name: str
    role: Literal["user", "admin"]
    email_verified: bool
    is_premium: bool
    xp: int
    level: int
    streak: int
    created_at: datetime


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
