"""Field types reused across request models."""
from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints


_REFUSED_CATEGORIES = ("Cc", "Cs", "Co")
_LINE_BREAKS = frozenset("\n\r\t")


def single_line(value: str) -> str:
    """One-line text: no control characters at all; NFC-normalised."""
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in value):
        raise ValueError("must not contain control characters")
    return unicodedata.normalize("NFC", value)


def multi_line(value: str) -> str:
    """Multi-line text: line breaks and tabs allowed, other control characters refused.

    PostgreSQL rejects NUL outright and a lone surrogate cannot be encoded, so both must be a 422
    here rather than a driver error later. Private-use characters are refused too: search marks
    matches with them inside PostgreSQL.
    """
    for ch in value:
        if ch not in _LINE_BREAKS and unicodedata.category(ch) in _REFUSED_CATEGORIES:
            raise ValueError("must not contain control characters")
    return unicodedata.normalize("NFC", value)


# Free text that is shown to other people: trimmed, NFC-normalised, no control characters.
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                        AfterValidator(single_line)]
Email = Annotated[EmailStr, StringConstraints(max_length=320), AfterValidator(str.lower)]
# Argon2 hashes any length, but an unbounded password is a cheap CPU attack on login.
Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]
OpaqueToken = Annotated[str, StringConstraints(min_length=1, max_length=512)]


class StrictModel(BaseModel):
    """Request bodies: unknown fields are rejected rather than silently ignored."""

    model_config = ConfigDict(extra="forbid", str_max_length=100_000)


class Message(BaseModel):
    detail: str


__all__ = ["single_line", "multi_line", "DisplayName", "Email", "Password", "OpaqueToken", "StrictModel", "Message", "Field"]
