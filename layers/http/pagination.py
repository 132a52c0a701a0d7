"""The one pagination helper: ``?page=1&page_size=20`` in, ``{items, total, page, page_size}`` out."""
from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

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


def paginate(conn: Any, sql: str, params: dict[str, Any], query: PageQuery,
             order_by: str) -> dict[str, Any]:
    """Run ``sql`` (a SELECT without ORDER BY/LIMIT, named ``%(name)s`` params) one page at a time.

    ``order_by`` is a constant from the calling service (never user input) and must end in a
    unique column so pages never overlap. The page and the total are two queries: the page can
    then walk an index and stop after ``page_size`` rows.
    """
    rows = conn.execute(
        f"SELECT * FROM ({sql}) AS q ORDER BY {order_by} LIMIT %(_limit)s OFFSET %(_offset)s",
        {**params, "_limit": query.limit, "_offset": query.offset},
    ).fetchall()
    if query.page == 1 and len(rows) < query.limit:
        total = len(rows)
    else:
        total = conn.execute(f"SELECT count(*) AS n FROM ({sql}) AS q", params).fetchone()["n"]
    return {"items": rows, "total": total, "page": query.page, "page_size": query.page_size}
