"""Every declared route against the error contract.

For every route (anonymous, a signed-in user, and an admin for routes without side effects beyond
their own data) and a set of hostile inputs: never a 500; every response carries ``X-Request-ID``;
4xx bodies are ``{"detail": str}``, or for 422 a list of ``{loc, msg, type}`` whose ``loc`` starts
with ``body``, ``query`` or ``path``. (Field-specific inputs are in ``test_bad_input_never_500.py``.)
"""
from __future__ import annotations

import re

import pytest

from tests.support.content import content

# Bodies that must be refused cleanly by any route that takes one.
HOSTILE_BODIES = [
    "", "null", "[]", '"text"', "123", "{", '{"x": 1}', "\xff\xfe",
    '{"content": "a\\u0000b", "title": "a\\u0000b", "name": "a\\u0000b", "bio": "a\\u0000b",'
    ' "token": "a\\u0000b", "refresh_token": "a\\u0000b", "email": "a\\u0000b@example.com"}',
    '{"content": "\\ud800", "title": "\\ud800", "name": "\\ud800", "token": "\\ud800"}',
    '{"post_id": 99999999999999999999999, "parent_id": -1, "size": 99999999999999999999999}',
]
# Admin routes that would start real work (jobs, SQS moves) are exercised only unauthenticated.
SIDE_EFFECT_ROUTES = {("POST", "/api/admin/tasks/{job}/run"), ("POST", "/api/admin/tasks/dead-letter/redrive"),
                      ("POST", "/api/payments/webhook")}


def _routes():
    import app
    from layers.http.routing import ROUTES

    return list(ROUTES)


def _fill(path: str, value: str) -> str:
    return re.sub(r"{\w+}", value, path)


def _check(reply, label: str) -> None:
    assert reply.status != 500, f"{label}: 500 {reply.text}"
    assert reply.header("X-Request-ID"), f"{label}: no X-Request-ID"
    if 400 <= reply.status < 500 and reply.status not in (405, 415):
        body = reply.json
        assert isinstance(body, dict) and "detail" in body, f"{label}: {reply.text}"
        if reply.status == 422:
            assert isinstance(body["detail"], list) and body["detail"], label
            for item in body["detail"]:
                assert item["loc"][0] in ("body", "query", "path"), f"{label}: {item}"
                assert isinstance(item["msg"], str) and isinstance(item["type"], str)
        else:
            assert isinstance(body["detail"], str), f"{label}: {reply.text}"


def test_every_route_answers_hostile_input_without_a_500(api, users, content):
    user = users.create()
    failures: list[str] = []
    for spec in _routes():
        if spec.auth == "stripe":
            continue
        tokens = {"anon": None, "user": user.token}
        if spec.auth == "admin" and (spec.method, spec.path) not in SIDE_EFFECT_ROUTES:
            tokens["admin"] = content.token
        for path_value in ("1", "0", "-1", str(2**63), "%00", "%ED%A0%80", "x" * 300):
            path = _fill(spec.path, path_value)
            for who, token in tokens.items():
                bodies = HOSTILE_BODIES if spec.method in ("POST", "PUT", "PATCH") else [""]
                for body in bodies:
                    if (spec.method, spec.path) in SIDE_EFFECT_ROUTES and token:
                        continue
                    reply = api.request(spec.method, path, body=body, token=token)
                    try:
                        _check(reply, f"{who} {spec.method} {path} body={body[:40]!r}")
                    except AssertionError as exc:
                        failures.append(str(exc)[:300])
    assert not failures, "\n".join(sorted(set(failures)))


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=abc", "page=99999999999999999999999",
                                   "page_size=0", "page_size=101", "page_size=1e3", "page=1&page=abc",
                                   "page=%00", "page_size=%ED%A0%80"])
def test_pagination_bounds_on_every_paginated_list(api, users, content, query):
    user = users.create()
    from layers.core.pagination import PageQuery

    for spec in _routes():
        if spec.method != "GET" or spec.query is None or not issubclass(spec.query, PageQuery):
            continue
        token = content.token if spec.auth == "admin" else user.token
        path = _fill(spec.path, "1") + "?" + query
        reply = api.get(path, token=token)
        assert reply.status in (404, 422), (path, reply.status, reply.text)
        _check(reply, path)


def test_every_paginated_list_answers_the_page_shape(api, users, content):
    user = users.create()
    post = content.post("Listed")
    from layers.core.pagination import PageQuery

    for spec in _routes():
        if spec.method != "GET" or spec.query is None or not issubclass(spec.query, PageQuery):
            continue
        token = content.token if spec.auth == "admin" else user.token
        path = _fill(spec.path, str(post["id"])) + "?page=1&page_size=100"
        if "search" in path:
            path += "&q=listed"
        reply = api.get(path, token=token)
        assert reply.status == 200, (path, reply.text)
        body = reply.json
        assert {"items", "total", "page", "page_size"} <= set(body), path
        assert body["page"] == 1 and body["page_size"] == 100, path
        assert isinstance(body["items"], list) and isinstance(body["total"], int), path
