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
    changes the row is still matched (``touch`` set, or else the row just read and locked), so
    "not found" stays a 404.
    """
    from psycopg import sql

    assignments = [sql.SQL("{} = {}").format(sql.Identifier(col), sql.Placeholder(f"set_{col}"))
                   for col in changes]
    if touch:
        assignments.append(sql.SQL("{} = now()").format(sql.Identifier(touch)))
    conditions = [sql.SQL("{} = {}").format(sql.Identifier(col), sql.Placeholder(f"where_{col}"))
                  for col in where]
    parts = {"table": sql.Identifier(table), "conds": sql.SQL(" AND ").join(conditions),
             "cols": sql.SQL(", ").join(sql.Identifier(c) for c in returning)}
    if assignments:
        query = sql.SQL("UPDATE {table} SET {sets} WHERE {conds} RETURNING {cols}").format(
            sets=sql.SQL(", ").join(assignments), **parts)
    else:  # nothing to set: read the row (an identity column cannot even be set to itself)
        query = sql.SQL("SELECT {cols} FROM {table} WHERE {conds} FOR UPDATE").format(**parts)
    params = {**{f"set_{k}": v for k, v in changes.items()}, **{f"where_{k}": v for k, v in where.items()}}
    row: dict[str, Any] | None = conn.execute(query, params).fetchone()
    return row
