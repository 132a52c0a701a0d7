"""SQL built from identifiers, never from strings: the one dynamic UPDATE builder."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from layers.core.db import Db


def update_row(conn: Db, table: str, changes: Mapping[str, Any], where: Mapping[str, Any], *,
               returning: Sequence[str] = ("id",), touch: str | None = "updated_at") -> dict[str, Any] | None:
    """``UPDATE table SET <changes> WHERE <where> RETURNING <returning>``; None when no row matched.

    Column and table names are quoted with ``psycopg.sql.Identifier`` and every value is a
    parameter, so callers may pass the keys of a validated PATCH body as they are. With no
    changes the row is still matched (and ``touch`` still set), so "not found" stays a 404.
    """
    from psycopg import sql

    assignments = [sql.SQL("{} = {}").format(sql.Identifier(col), sql.Placeholder(f"set_{col}"))
                   for col in changes]
    if touch:
        assignments.append(sql.SQL("{} = now()").format(sql.Identifier(touch)))
    if not assignments:  # nothing to set: a no-op assignment keeps one statement shape
        first = next(iter(where))
        assignments.append(sql.SQL("{0} = {0}").format(sql.Identifier(first)))
    conditions = [sql.SQL("{} = {}").format(sql.Identifier(col), sql.Placeholder(f"where_{col}"))
                  for col in where]
    query = sql.SQL("UPDATE {table} SET {sets} WHERE {conds} RETURNING {cols}").format(
        table=sql.Identifier(table),
        sets=sql.SQL(", ").join(assignments),
        conds=sql.SQL(" AND ").join(conditions),
        cols=sql.SQL(", ").join(sql.Identifier(c) for c in returning),
    )
    params = {**{f"set_{k}": v for k, v in changes.items()}, **{f"where_{k}": v for k, v in where.items()}}
    row: dict[str, Any] | None = conn.execute(query, params).fetchone()
    return row
