"""Typed row access for statements that always return a row (aggregates, ``RETURNING`` on a locked row)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from layers.core.db import Db


def one(conn: Db, query: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> dict[str, Any]:
    row = conn.execute(query, params).fetchone()
    if row is None:
        raise LookupError("statement returned no row")
    return row
