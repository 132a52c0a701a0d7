"""The one pagination helper: ``?page=1&page_size=20`` in, ``{items, total, page, page_size}`` out."""
from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from layers.core.db import Db

T = TypeVar("T")

MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000  # deeper pages are a scraper, not a reader; keeps OFFSET bounded


class PageQuery(BaseModel):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)

    @property
    def limit(self) -> int:
        return self.page_size

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


def paginate(conn: Db, sql: str, params: dict[str, Any], query: PageQuery,
             order_by: str, count_cap: int | None = None) -> dict[str, Any]:
    """Run ``sql`` (a SELECT without ORDER BY/LIMIT, named ``%(name)s`` params) one page at a time.

    ``order_by`` is a constant from the calling service (never user input) and must end in a
    unique column so pages never overlap. The page and the total are two queries: the page can
    then walk an index and stop after ``page_size`` rows. ``count_cap``: see ``total``.
    """
    rows = conn.execute(
        f"SELECT * FROM ({sql}) AS q ORDER BY {order_by} LIMIT %(_limit)s OFFSET %(_offset)s",
        {**params, "_limit": query.limit, "_offset": query.offset},
    ).fetchall()
    return {"items": rows, "total": total(conn, sql, params, query, len(rows), count_cap),
            "page": query.page, "page_size": query.page_size}


def is_last_page(query: PageQuery, returned: int) -> bool:
    """A short page, or an empty first page, ends the list: its total is offset + rows."""
    return 0 < returned < query.limit or (returned == 0 and query.page == 1)


def total(conn: Db, sql: str, params: dict[str, Any], query: PageQuery, returned: int,
          count_cap: int | None = None) -> int:
    """How many rows ``sql`` matches, as cheaply as the page allows.

    A short (or empty first) page is the last one, so its total needs no count. Otherwise
    ``count(*)``; with ``count_cap`` the count stops after ``max(count_cap, offset + page_size + 1)``
    rows, so a huge table costs a bounded count: exact up to the cap, past it a lower bound that
    still tells a client another page exists.
    """
    if is_last_page(query, returned):
        return query.offset + returned
    if count_cap is None:
        return _count(conn, f"SELECT count(*) AS n FROM ({sql}) AS q", params)
    cap = max(count_cap, query.offset + query.limit + 1)
    return _count(conn, f"SELECT count(*) AS n FROM ({sql} LIMIT %(_cap)s) AS q", {**params, "_cap": cap})


def _count(conn: Db, sql: str, params: dict[str, Any]) -> int:
    row = conn.execute(sql, params).fetchone()
    assert row is not None  # count(*) always returns a row
    return int(row["n"])
