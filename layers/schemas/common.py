"""Field types reused across request models."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

_REFUSED_CATEGORIES = ("Cc", "Cs", "Co")
_LINE_BREAKS = frozenset("\n\r\t")


def single_line(value: object) -> object:
    """One-line text: no control characters at all; NFC-normalised.

    Used as a *before* validator, so length limits apply to the normalised text (NFC can make a
    string longer: U+FB2C becomes three characters) and non-strings reach pydantic's own type error.
    """
    if not isinstance(value, str):
        return value
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in value):
        raise ValueError("must not contain control characters")
    return unicodedata.normalize("NFC", value)


def multi_line(value: object) -> object:
    """Multi-line text: line breaks and tabs allowed, other control characters refused.

    PostgreSQL rejects NUL outright and a lone surrogate cannot be encoded, so both must be a 422
    here rather than a driver error later. Private-use characters are refused too: search marks
    matches with them inside PostgreSQL. A before validator, like ``single_line``.
    """
    if not isinstance(value, str):
        return value
    for ch in value:
        if ch not in _LINE_BREAKS and unicodedata.category(ch) in _REFUSED_CATEGORIES:
            raise ValueError("must not contain control characters")
    return unicodedata.normalize("NFC", value)


# Bidirectional embeddings and overrides (U+202A-U+202E, U+2066-U+2069): in a name they can make
# text read backwards around it ("evil\u202egnp.exe"), so they are removed from names.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def visible_name(value: object) -> object:
    """A name shown to other people: one line, bidi overrides removed, at least one visible character.

    Zero-width and other format characters (category Cf), marks and spaces alone do not make a
    name: a user, tag or series named only with them would look blank (and slugify to nothing).
    """
    value = single_line(value)
    if not isinstance(value, str):
        return value
    value = value.translate(_BIDI_CONTROLS)
    if not any(unicodedata.category(ch)[0] in "LNPS" for ch in value):
        raise ValueError("must contain at least one visible character")
    return value


# Free text that is shown to other people: trimmed, NFC-normalised, no control characters.
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                        BeforeValidator(visible_name)]
Email = Annotated[EmailStr, StringConstraints(max_length=320), AfterValidator(str.lower)]
# Argon2 hashes any length, but an unbounded password is a cheap CPU attack on login.
Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]
OpaqueToken = Annotated[str, StringConstraints(min_length=1, max_length=512), BeforeValidator(single_line)]
# A short identifier typed or pasted by a person (a referral code).
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
                 BeforeValidator(single_line)]
# Free multi-line text written by a user (a bio, a comment).
LongText = Annotated[str, StringConstraints(max_length=20_000), BeforeValidator(multi_line)]


class StrictModel(BaseModel):
    """Request bodies: unknown fields are rejected rather than silently ignored."""

    model_config = ConfigDict(extra="forbid", str_max_length=100_000)


class PatchModel(StrictModel):
    """PATCH bodies: every field may be left out; only ``NULLABLE`` fields may be sent as null.

    ``changes()`` yields exactly the fields the client sent, so an explicit ``null`` for a
    nullable field clears it and a field left out is left alone. Declare fields as
    ``X | None = None``; the ``None`` default only means "not sent".
    """

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _reject_null(cls, value: object, info: ValidationInfo) -> object:
        if value is None and info.field_name not in cls.NULLABLE:
            raise ValueError("may not be null")
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(include=self.model_fields_set)


class TokenQuery(BaseModel):
    """``?token=`` of an emailed link (confirm, unsubscribe)."""

    token: OpaqueToken


# Every id in a body or query: a positive BIGINT. Strict, so a JSON body's ``"5"`` or ``true`` is
# not an id; query strings are text by nature and the route decorator parses them leniently.
Id = Annotated[int, Field(strict=True, ge=1, lt=2**63)]


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


_Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                  BeforeValidator(single_line)]
# ``?q=`` of an admin list's search box: empty (as a search box sends it) means no filter, and the
# document says so instead of claiming a minimum length the API does not enforce.
SearchBox = Annotated[_Term | None, BeforeValidator(_blank_is_none), WithJsonSchema(
    {"type": ["string", "null"], "maxLength": 100, "description": "Empty or left out: no filter."})]


def _iso_date_only(value: object) -> object:
    # pydantic would read a number (``0``, ``"0"``) as seconds since 1970: a date is YYYY-MM-DD.
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError("must be a date as YYYY-MM-DD")


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


class Message(BaseModel):
    detail: str


__all__ = ["Id", "IsoDate", "PatchModel", "SearchBox", "TokenQuery", "visible_name", "single_line", "multi_line", "Code",
           "LongText", "DisplayName", "Email", "Password", "OpaqueToken", "StrictModel", "Message", "Field"]
