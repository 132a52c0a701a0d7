"""The shared pagination helper: pages, exact totals, and capped totals for large lists."""
from __future__ import annotations

import psycopg
import pytest
from psycopg.rows import dict_row

from layers.core.pagination import PageQuery, paginate

SERIES = "SELECT g AS id FROM generate_series(1, %(n)s) g"


@pytest.fixture
def conn(stack):
    with psycopg.connect(stack["DATABASE_URL"], row_factory=dict_row) as connection:
        yield connection


def test_pages_do_not_overlap_and_total_is_exact(conn):
    first = paginate(conn, SERIES, {"n": 45}, PageQuery(page=1, page_size=20), "id")
    last = paginate(conn, SERIES, {"n": 45}, PageQuery(page=3, page_size=20), "id")
    assert [r["id"] for r in first["items"]] == list(range(1, 21)) and first["total"] == 45
    assert [r["id"] for r in last["items"]] == list(range(41, 46)) and last["total"] == 45
    beyond = paginate(conn, SERIES, {"n": 45}, PageQuery(page=9, page_size=20), "id")
    assert beyond["items"] == [] and beyond["total"] == 45


def test_a_capped_total_is_exact_below_the_cap_and_a_lower_bound_above(conn):
    small = paginate(conn, SERIES, {"n": 150}, PageQuery(page=1, page_size=10), "id", count_cap=200)
    assert small["total"] == 150
    big = paginate(conn, SERIES, {"n": 5000}, PageQuery(page=1, page_size=10), "id", count_cap=200)
    assert big["total"] == 200
    deep = paginate(conn, SERIES, {"n": 5000}, PageQuery(page=40, page_size=10), "id", count_cap=200)
    assert deep["total"] == 401  # always shows there is a page after this one
    last = paginate(conn, SERIES, {"n": 5000}, PageQuery(page=500, page_size=10), "id", count_cap=200)
    assert last["total"] == 5000  # a short or final page knows the exact total
