"""Names other people see must be visible and must not reorder the text around them."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("name", ["\u200b\u200b\u200b", "\u200d \u200c", "\u202e", "\u2066\u2069"])
def test_a_name_with_no_visible_character_is_refused(api, name):
    reply = api.post("/api/auth/register", {"email": "z@example.com", "password": "long enough pw", "name": name})
    assert reply.status == 422
    assert reply.json["detail"][0]["loc"] == ["body", "name"]


def test_bidi_overrides_are_removed_from_names(api, users):
    alice = users.create(name="Alice\u202egnp.exe")
    me = api.get("/api/auth/me", token=alice.token).json
    assert me["name"] == "Alicegnp.exe"
    assert api.patch("/api/settings", {"name": "Bob\u2066\u202d"}, token=alice.token).status == 200
    assert api.get("/api/auth/me", token=alice.token).json["name"] == "Bob"


@pytest.mark.parametrize("name", ["\u200b\u200b", "\u200d \u200c\u200b"])
def test_tags_and_series_need_a_visible_name(api, users, name):
    admin = users.admin()
    assert api.post("/api/tags", {"name": name}, token=admin.token).status == 422
    assert api.post("/api/series", {"title": name}, token=admin.token).status == 422
    assert api.post("/api/posts", {"title": name, "content": "Body."}, token=admin.token).status == 422


def test_a_series_title_keeps_its_visible_part_and_its_slug_comes_from_it(api, users):
    admin = users.admin()
    reply = api.post("/api/series", {"title": "\u202eAsync\u200b Python"}, token=admin.token)
    assert reply.status == 201 and reply.json["title"] == "Async\u200b Python"
    assert reply.json["slug"] == "async-python"
