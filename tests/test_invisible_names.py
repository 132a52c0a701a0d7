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
