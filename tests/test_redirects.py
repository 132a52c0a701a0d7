"""Slug redirects: admin list and create, public resolve, chains collapse, no cycles."""
from __future__ import annotations

import pytest

from tests.support.content import content, db_rows


def _create(api, content, old, new):
    return api.post("/api/redirects", {"old_slug": old, "new_slug": new}, token=content.token)


def _resolve(api, slug):
    return api.get(f"/api/redirects/resolve?slug={slug}")


def test_admin_only_list_and_create(api, content):
    reader = content.reader()
    for token, status in ((None, 401), (reader.token, 403)):
        assert api.get("/api/redirects", token=token).status == status
        assert api.post("/api/redirects", {"old_slug": "a", "new_slug": "b"}, token=token).status == status
    created = _create(api, content, "a", "b")
    assert created.status == 201, created.text
    assert set(created.json) == {"id", "old_slug", "new_slug", "created_at"}
    listed = api.get("/api/redirects", token=content.token)
    assert listed.status == 200 and listed.json["total"] == 1
    assert listed.json["items"][0]["old_slug"] == "a"


def test_resolve_is_public(api, content):
    _create(api, content, "old", "new")
    reply = _resolve(api, "old")
    assert reply.status == 200 and reply.json == {"new_slug": "new"}
    assert _resolve(api, "unknown").status == 404
    assert _resolve(api, "%00").status == 404
    assert _resolve(api, "Not%20a%20slug").status == 404
    assert api.get("/api/redirects/resolve").status == 422


def test_chains_collapse(api, content):
    _create(api, content, "a", "b")
    _create(api, content, "b", "c")
    assert _resolve(api, "a").json == {"new_slug": "c"}
    _create(api, content, "z", "a")  # a new redirect to a redirected slug goes to its end
    assert _resolve(api, "z").json == {"new_slug": "c"}
    _create(api, content, "c", "d")
    assert {r[0]: r[1] for r in db_rows("SELECT old_slug, new_slug FROM redirects")} == {
        "a": "d", "b": "d", "z": "d", "c": "d"}


def test_cycles_are_refused(api, content):
    _create(api, content, "a", "b")
    _create(api, content, "b", "c")
    assert _create(api, content, "c", "a").status == 409
    assert _create(api, content, "a", "a").status == 400
    assert _resolve(api, "a").json == {"new_slug": "c"}


def test_post_renames_rewrite_existing_redirects(api, content):
    post = content.post("Title", slug="a")
    content.patch(post["id"], slug="b")
    assert _resolve(api, "a").json == {"new_slug": "b"}
    content.patch(post["id"], slug="c")
    assert _resolve(api, "a").json == {"new_slug": "c"} and _resolve(api, "b").json == {"new_slug": "c"}
    reply = api.get("/api/posts/a")
    assert reply.status == 301 and reply.header("Location") == "/api/posts/c"


def test_live_slugs_win(api, content):
    content.post("Live", slug="live")
    assert _create(api, content, "live", "elsewhere").status == 409
    _create(api, content, "gone", "live")
    content.post("Reborn", slug="gone")  # taking a redirected slug makes it live again
    assert _resolve(api, "gone").status == 404
    assert api.get("/api/posts/gone").json["title"] == "Reborn"


@pytest.mark.parametrize("body", [{}, {"old_slug": "a"}, {"old_slug": "A B", "new_slug": "b"},
                                  {"old_slug": 1, "new_slug": "b"}, {"old_slug": "a", "new_slug": "b", "x": 1},
                                  {"old_slug": "a", "new_slug": "b" * 201}, {"old_slug": "a", "new_slug": None}])
def test_create_rejects_bad_input(api, content, body):
    assert api.post("/api/redirects", body, token=content.token).status == 422


def test_list_pagination(api, content):
    for i in range(3):
        _create(api, content, f"old-{i}", "target")
    page = api.get("/api/redirects?page=2&page_size=2", token=content.token).json
    assert page["total"] == 3 and [r["old_slug"] for r in page["items"]] == ["old-0"]
    assert api.get("/api/redirects?page_size=500", token=content.token).status == 422
