"""Slugs for posts, series and tags, and unique-key violations turned into 409s."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

from layers.core.db import Db
from layers.core.errors import Conflict

MAX_SLUG = 200
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Tables whose rows carry a unique ``slug``; the only names interpolated into SQL here.
_SLUG_TABLES = frozenset({"posts", "series", "tags"})
_MESSAGES = {
    "posts_slug_key": "a post with this slug already exists",
    "posts_series_position_key": "another post already holds this position in the series",
    "series_slug_key": "a series with this slug already exists",
    "tags_slug_key": "a tag with this slug already exists",
    "tags_name_key": "a tag with this name already exists",
}


def slugify(text: str, fallback: str) -> str:
    """ASCII, lowercase, hyphen-separated; ``fallback`` when nothing usable is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = _NON_ALNUM.sub("-", ascii_text).strip("-")[:MAX_SLUG].strip("-")
    return slug or fallback


def available(conn: Db, table: str, base: str) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is free in ``table``."""
    if table not in _SLUG_TABLES:
        raise ValueError(f"no slug column on {table!r}")
    taken = {r["slug"] for r in conn.execute(
        f"SELECT slug FROM {table} WHERE slug = %(base)s OR slug LIKE %(prefix)s",
        {"base": base, "prefix": base.replace("_", r"\_") + "-%"},
    )}
    if base not in taken:
        return base
    n = 2
    while _numbered(base, n) in taken:
        n += 1
    return _numbered(base, n)


def _numbered(base: str, n: int) -> str:
    """``base-n``, with ``base`` shortened so the result still fits ``MAX_SLUG``."""
    suffix = f"-{n}"
    return base[:MAX_SLUG - len(suffix)].rstrip("-") + suffix


@contextmanager
def conflicts_as_409(conn: Db) -> Iterator[None]:
    """Map a unique violation in the block to 409, deferred ones included.

    ``posts_series_position_key`` is checked at commit (so positions can be swapped within one
    transaction), and the commit belongs to the unit of work, after the service has returned. The
    block therefore ends by making deferred checks immediate: a clash surfaces here, as a 409,
    rather than as an error at commit.
    """
    import psycopg

    try:
        yield
        conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
    except psycopg.errors.UniqueViolation as exc:
        name = exc.diag.constraint_name or ""
        raise Conflict(_MESSAGES.get(name, "this conflicts with an existing record")) from exc
