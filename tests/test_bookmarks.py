"""Bookmarks: add, list, check, remove; private to their owner."""
import pytest

from tests.support.reader import make_post, make_subscription, sql


def test_bookmark_lifecycle(api, users, stack):
    alice = users.create()
    post = make_post(stack, "pg-indexes", tags=["postgresql", "performance"], series="pg-basics", series_position=1)
    assert api.get(f"/api/bookmarks/{post}", token=alice.token).json == {"bookmarked": False}

    added = api.post("/api/bookmarks", {"post_id": post}, token=alice.token)
    assert added.status == 201, added.text
    summary = added.json["post"]
    assert added.json["post_id"] == post and added.json["created_at"].endswith("Z")
    assert summary["slug"] == "pg-indexes" and summary["locked"] is False and "content" not in summary
    assert [t["slug"] for t in summary["tags"]] == ["performance", "postgresql"]
    assert summary["series"]["slug"] == "pg-basics" and summary["series_position"] == 1

    assert api.get(f"/api/bookmarks/{post}", token=alice.token).json == {"bookmarked": True}
    assert api.post("/api/bookmarks", {"post_id": post}, token=alice.token).status == 409
    listed = api.get("/api/bookmarks", token=alice.token).json
    assert listed["total"] == 1 and listed["items"][0]["post"]["id"] == post

    assert api.delete(f"/api/bookmarks/{post}", token=alice.token).status == 204
    assert api.delete(f"/api/bookmarks/{post}", token=alice.token).status == 404
    assert api.get(f"/api/bookmarks/{post}", token=alice.token).json == {"bookmarked": False}
    assert api.get("/api/bookmarks", token=alice.token).json["items"] == []


def test_unknown_or_unpublished_post_is_404(api, users, stack):
    alice = users.create()
    draft = make_post(stack, "a-draft", status="draft")
    for post_id in (draft, 777_777):
        assert api.post("/api/bookmarks", {"post_id": post_id}, token=alice.token).status == 404
        assert api.get(f"/api/bookmarks/{post_id}", token=alice.token).status == 404
        assert api.delete(f"/api/bookmarks/{post_id}", token=alice.token).status == 404


def test_bookmarks_are_private(api, users, stack):
    alice, bob = users.create(), users.create()
    post = make_post(stack, "shared-post")
    api.post("/api/bookmarks", {"post_id": post}, token=alice.token)
    assert api.get("/api/bookmarks", token=bob.token).json["total"] == 0
    assert api.get(f"/api/bookmarks/{post}", token=bob.token).json == {"bookmarked": False}
    assert api.delete(f"/api/bookmarks/{post}", token=bob.token).status == 404
    assert api.get(f"/api/bookmarks/{post}", token=alice.token).json == {"bookmarked": True}


def test_anonymous_callers_are_401(api, stack):
    post = make_post(stack, "some-post")
    assert api.get("/api/bookmarks").status == 401
    assert api.post("/api/bookmarks", {"post_id": post}).status == 401
    assert api.get(f"/api/bookmarks/{post}").status == 401
    assert api.delete(f"/api/bookmarks/{post}").status == 401


def test_list_is_paginated_newest_first_and_skips_unpublished(api, users, stack):
    alice = users.create()
    posts = [make_post(stack, f"post-{n}") for n in range(3)]
    for post in posts:
        assert api.post("/api/bookmarks", {"post_id": post}, token=alice.token).status == 201
    first = api.get("/api/bookmarks?page_size=2", token=alice.token).json
    assert first["total"] == 3 and [b["post_id"] for b in first["items"]] == [posts[2], posts[1]]
    second = api.get("/api/bookmarks?page_size=2&page=2", token=alice.token).json
    assert [b["post_id"] for b in second["items"]] == [posts[0]]
    sql(stack, "UPDATE posts SET status = 'draft' WHERE id = %s", (posts[1],))
    assert [b["post_id"] for b in api.get("/api/bookmarks", token=alice.token).json["items"]] == [posts[2], posts[0]]


def test_premium_posts_are_locked_for_readers_without_a_subscription(api, users, stack):
    reader, subscriber, admin = users.create(), users.create(), users.admin()
    make_subscription(stack, subscriber.id)
    post = make_post(stack, "premium-post", is_premium=True)
    for account, locked in ((reader, True), (subscriber, False), (admin, False)):
        added = api.post("/api/bookmarks", {"post_id": post}, token=account.token).json
        assert added["post"]["is_premium"] is True and added["post"]["locked"] is locked
        listed = api.get("/api/bookmarks", token=account.token).json["items"][0]["post"]
        assert listed["locked"] is locked and "content" not in listed


@pytest.mark.parametrize("body", [
    {}, {"post_id": "1"}, {"post_id": True}, {"post_id": 0}, {"post_id": -3}, {"post_id": 2**70},
    {"post_id": None}, {"post_id": 1.5}, {"post_id": 1, "note": "x"}, [1], "1",
])
def test_bad_bodies_are_422(api, users, stack, body):
    alice = users.create()
    make_post(stack, "target")
    assert api.post("/api/bookmarks", body, token=alice.token).status == 422


def test_bad_paths_and_pages_are_422(api, users):
    alice = users.create()
    for method, path in (("GET", "/api/bookmarks/abc"), ("DELETE", "/api/bookmarks/0"),
                         ("GET", f"/api/bookmarks/{2**63}"), ("GET", "/api/bookmarks?page=0"),
                         ("GET", "/api/bookmarks?page_size=101"), ("GET", "/api/bookmarks?page_size=x")):
        assert api.request(method, path, token=alice.token).status == 422, path
