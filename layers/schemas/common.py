"""Field types reused across request models."""
from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints


def _no_control_chars(value: str) -> str:
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Co") for ch in value):
        raise ValueError("must not contain control characters")
    return unicodedata.normalize("NFC", value)


# Free text that is shown to other people: trimmed, NFC-normalised, no control characters.
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                        AfterValidator(_no_control_chars)]
Email = Annotated[EmailStr, StringConstraints(max_length=320), AfterValidator(str.lower)]
# Argon2 hashes any length, but an unbounded password is a cheap CPU attack on login.
Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]
OpaqueToken = Annotated[str, StringConstraints(min_length=1, max_length=512)]


class StrictModel(BaseModel):
    """Request bodies: unknown fields are rejected rather than silently ignored."""

    model_config = ConfigDict(extra="forbid", str_max_length=100_000)


class Message(BaseModel):
    detail: str


__all__ = ["DisplayName", "Email", "Password", "OpaqueToken", "StrictModel", "Message", "Field"]
