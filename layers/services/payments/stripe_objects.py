"""Reading the parts of Stripe's objects the payments service uses, strictly, before any write.

A signed body is Stripe's (or someone holding the webhook secret), but its shape is not
guaranteed: an API version change, a hand-made test event, a bug. Every field the service reads
goes through one of these readers, which returns a value the service and PostgreSQL can use or
raises ``Malformed`` naming the field. So an event is read whole before anything is written, and
the webhook decides in one place what to do with one it cannot read (``webhook.apply_event``):
never a 500, never half of an event applied.

Absent and ``null`` optional fields read as ``None``; a field of the wrong type is malformed, not
coerced (``"1"`` is not a timestamp, ``true`` is not a number).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

MAX_ID = 255  # Stripe's ids and enum values are far shorter: a longer one is not Stripe's
MAX_URL = 2048
MAX_INT4 = 2**31 - 1  # amounts are stored in integer columns
_LAST_SECOND = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc).timestamp()
# Stripe dates an event when it happens and signs it when sending, so ``created`` is never after
# the signature (checked to 300 s). A later one would outrank every real event of its subscription
# (states are ordered by ``created``) and freeze it, so it is refused.
MAX_CLOCK_SKEW = timedelta(hours=1)


class Malformed(ValueError):
    """A field of a Stripe object the service cannot use; ``str()`` names it."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where} {problem}")


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    created: datetime
    obj: dict[str, Any]  # data.object, read by the parser of the event's type


def event(body: Mapping[str, Any], now: datetime) -> Event:
    """The envelope every event needs: id, type, a plausible ``created`` and an object."""
    event_id, event_type = text(body.get("id"), "id", optional=False), text(body.get("type"), "type", optional=False)
    created = timestamp(body.get("created"), "created", optional=False)
    assert event_id and event_type and created  # none of them optional
    if created > now + MAX_CLOCK_SKEW:
        raise Malformed("created", "is in the future")
    obj = mapping(mapping(body.get("data"), "data").get("object"), "data.object", optional=False)
    return Event(id=event_id, type=event_type, created=created, obj=obj)


def mapping(value: Any, where: str, *, optional: bool = True) -> dict[str, Any]:
    if value is None and optional:
        return {}
    if not isinstance(value, dict):
        raise Malformed(where, "is not an object")
    return value


def text(value: Any, where: str, *, optional: bool = True, limit: int = MAX_ID) -> str | None:
    if value is None or value == "":
        if optional:
            return None
        raise Malformed(where, "is missing")
    if not isinstance(value, str):
        raise Malformed(where, "is not a string")
    if len(value) > limit:
        raise Malformed(where, f"is longer than {limit} characters")
    if "\x00" in value or not _encodable(value):
        raise Malformed(where, "holds characters that cannot be stored")
    return value


def object_id(value: Any, where: str, *, optional: bool = True) -> str | None:
    """An id field that may also come expanded into its object."""
    if isinstance(value, dict):
        return text(value.get("id"), f"{where}.id", optional=optional)
    return text(value, where, optional=optional)


def timestamp(value: Any, where: str, *, optional: bool = True) -> datetime | None:
    """A Unix time in seconds (Stripe's are integers; a finite float is truncated)."""
    if value is None:
        if optional:
            return None
        raise Malformed(where, "is missing")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Malformed(where, "is not a Unix time")
    # Ints are compared exactly (an int past a float's range has no float to test for finiteness).
    if (isinstance(value, float) and not math.isfinite(value)) or not 0 < value <= _LAST_SECOND:
        raise Malformed(where, "is not a Unix time between 1970 and 9999")
    return datetime.fromtimestamp(int(value), timezone.utc)


def integer(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_INT4:
        raise Malformed(where, "is not an amount")
    return value


def flag(value: Any, where: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise Malformed(where, "is not a boolean")
    return value


def first_item(list_object: Any, where: str) -> dict[str, Any]:
    """The first element of a Stripe list object (``{"data": [...]}``); ``{}`` when empty."""
    data = mapping(list_object, where).get("data")
    if data is None:
        return {}
    if not isinstance(data, list):
        raise Malformed(f"{where}.data", "is not a list")
    return mapping(data[0], f"{where}.data[0]") if data else {}


def user_id_from(metadata: Any) -> int | None:
    """``metadata.user_id`` as our checkout wrote it; only a hint, so anything else reads as none."""
    raw = metadata.get("user_id") if isinstance(metadata, dict) else None
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        return None
    try:
        value = int(str(raw))
    except ValueError:
        return None
    return value if 0 < value < 2**63 else None


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which JSON's \ud800 escapes can carry
        return False
    return True
