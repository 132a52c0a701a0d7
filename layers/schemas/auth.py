"""Request and response models of the auth router."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from layers.schemas.common import Code, DisplayName, Email, OpaqueToken, Password, StrictModel


class RegisterIn(StrictModel):
    email: Email
    password: Password
    name: DisplayName
    referral_code: Code | None = None


class LoginIn(StrictModel):
    email: Email
    # Not the sign-up policy: an old account may predate it, and any mismatch is a plain 401.
    password: str = Field(min_length=1, max_length=128)


class RefreshIn(StrictModel):
    refresh_token: OpaqueToken


class VerifyEmailIn(StrictModel):
    token: OpaqueToken


class AuthorizationUrl(BaseModel):
    authorization_url: str


class GoogleCallbackQuery(BaseModel):
    code: str = Field(min_length=1, max_length=2048)
    state: str = Field(min_length=1, max_length=512)


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
