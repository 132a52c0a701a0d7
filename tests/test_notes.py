"""Study notes: CRUD, the post filter, and privacy."""
from datetime import datetime

import pytest

from tests.support.reader import make_post


def create(api, account, **body):
    reply = api.post("/api/notes", {"content": "remember this", **body}, token=account.token)
    assert reply.status == 201, reply.text
    return reply.json


def test_note_lifecycle(api, users, stack):
    alice = users.create()
    post = make_post(stack, "gil")
    note = create(api, alice, post_id=post, title="  The GIL  ", content="Only one thread runs\nbytecode.")
    assert note["title"] == "The GIL" and note["content"] == "Only one thread runs\nbytecode."
    assert note["post_id"] == post and note["created_at"] == note["updated_at"]

    changed = api.patch(f"/api/notes/{note['id']}", {"content": "Released on I/O."}, token=alice.token)
    assert changed.status == 200
    assert changed.json["content"] == "Released on I/O." and changed.json["title"] == "The GIL"
    assert datetime.fromisoformat(changed.json["updated_at"]) >= datetime.fromisoformat(note["updated_at"])
    retitled = api.patch(f"/api/notes/{note['id']}", {"title": ""}, token=alice.token).json
    assert retitled["title"] == "" and retitled["content"] == "Released on I/O."

    assert api.get("/api/notes", token=alice.token).json["total"] == 1
    assert api.delete(f"/api/notes/{note['id']}", token=alice.token).status == 204
    assert api.delete(f"/api/notes/{note['id']}", token=alice.token).status == 404
    assert api.get("/api/notes", token=alice.token).json["total"] == 0


def test_filter_by_post_and_order(api, users, stack):
    alice = users.create()
    first, second = make_post(stack, "first"), make_post(stack, "second")
    a = create(api, alice, post_id=first, content="a")
    b = create(api, alice, post_id=second, content="b")
    c = create(api, alice, content="loose")
    assert [n["id"] for n in api.get("/api/notes", token=alice.token).json["items"]] == [c["id"], b["id"], a["id"]]
    api.patch(f"/api/notes/{a['id']}", {"content": "edited"}, token=alice.token)
    assert api.get("/api/notes?page_size=1", token=alice.token).json["items"][0]["id"] == a["id"]
    only = api.get(f"/api/notes?post_id={second}", token=alice.token).json
    assert only["total"] == 1 and only["items"][0]["id"] == b["id"]
    assert api.get("/api/notes?post_id=999999", token=alice.token).json["total"] == 0


def test_notes_are_private(api, users, stack):
    alice, bob, admin = users.create(), users.create(), users.admin()
    note = create(api, alice, content="secret")
    for account in (bob, admin):
        assert api.get("/api/notes", token=account.token).json["total"] == 0
        assert api.patch(f"/api/notes/{note['id']}", {"content": "mine now"}, token=account.token).status == 404
        assert api.delete(f"/api/notes/{note['id']}", token=account.token).status == 404
    assert api.get("/api/notes", token=alice.token).json["items"][0]["content"] == "secret"


def test_anonymous_callers_are_401(api):
    assert api.get("/api/notes").status == 401
    assert api.post("/api/notes", {"content": "x"}).status == 401
    assert api.patch("/api/notes/1", {"content": "x"}).status == 401
    assert api.delete("/api/notes/1").status == 401


def test_note_about_unknown_or_unpublished_post_is_404(api, users, stack):
    alice = users.create()
    draft = make_post(stack, "draft", status="draft")
    for post_id in (draft, 858_585):
        assert api.post("/api/notes", {"content": "x", "post_id": post_id}, token=alice.token).status == 404


@pytest.mark.parametrize("body", [
    {}, {"content": ""}, {"content": "x" * 20_001}, {"content": "a\x00b"}, {"content": 5},
    {"content": "x", "title": "t" * 201}, {"content": "x", "title": "line\nbreak"},
    {"content": "x", "post_id": "1"}, {"content": "x", "post_id": 0}, {"content": "x", "user_id": 2},
])
def test_bad_note_bodies_are_422(api, users, body):
    alice = users.create()
    assert api.post("/api/notes", body, token=alice.token).status == 422


@pytest.mark.parametrize("body", [{"content": None}, {"title": None}, {"content": ""}, {"post_id": 3}, []])
def test_bad_patches_are_422(api, users, body):
    alice = users.create()
    note = create(api, alice)
    assert api.patch(f"/api/notes/{note['id']}", body, token=alice.token).status == 422


def test_bad_paths_and_queries_are_422(api, users):
    alice = users.create()
    for method, path in (("GET", "/api/notes?post_id=abc"), ("GET", "/api/notes?post_id=0"),
                         ("GET", "/api/notes?page_size=101"), ("PATCH", "/api/notes/abc"),
                         ("DELETE", f"/api/notes/{2**64}")):
        reply = api.request(method, path, json_body={"content": "x"} if method == "PATCH" else None,
                            token=alice.token)
        assert reply.status == 422, path
