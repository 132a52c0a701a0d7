"""Reading progress: marking posts read, XP once per post, series completion, totals."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.reader import make_post, make_subscription, sql


def read(api, account, post_id, body=None):
    return api.post(f"/api/progress/{post_id}/read", {} if body is None else body, token=account.token)


def test_marking_read_is_idempotent_and_awards_xp_once(api, users, stack):
    alice = users.create()
    post = make_post(stack, "first-post")
    first = read(api, alice, post, {"read_time_spent": 120})
    assert first.status == 200, first.text
    assert first.json["xp_awarded"] == 10 and first.json["xp"] == 10 and first.json["level"] == 1
    assert first.json["read_time_spent"] == 120 and first.json["post_id"] == post

    again = read(api, alice, post, {"read_time_spent": 60})
    assert again.status == 200
    assert again.json["xp_awarded"] == 0 and again.json["xp"] == 10
    assert again.json["completed_at"] == first.json["completed_at"]
    assert again.json["read_time_spent"] == 120  # the longest reported time is kept
    assert read(api, alice, post, {"read_time_spent": 300}).json["read_time_spent"] == 300
    assert read(api, alice, post).json["read_time_spent"] == 300

    events = sql(stack, "SELECT amount, reason, ref FROM xp_events WHERE user_id = %s", (alice.id,))
    assert events == [{"amount": 10, "reason": "read", "ref": str(post)}]
    me = api.get("/api/auth/me", token=alice.token).json
    assert me["xp"] == 10 and me["level"] == 1


def test_level_follows_xp(api, users, stack):
    alice = users.create()
    posts = [make_post(stack, f"post-{n}") for n in range(10)]
    for post in posts:
        reply = read(api, alice, post)
    assert reply.json["xp"] == 100 and reply.json["level"] == 2
    me = api.get("/api/auth/me", token=alice.token).json
    assert me["xp"] == 100 and me["level"] == 2


def test_concurrent_reads_award_xp_once(users, stack):
    from layers.core.uow import unit_of_work
    from layers.services import progress

    alice = users.create()
    post = make_post(stack, "raced")

    def mark(_):
        with unit_of_work() as uow:
            return progress.mark_read(uow.conn, alice.id, False, post, 30)["xp_awarded"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        awarded = list(pool.map(mark, range(8)))
    assert sorted(awarded) == [0] * 7 + [10]
    assert sql(stack, "SELECT xp FROM users WHERE id = %s", (alice.id,))[0]["xp"] == 10


def test_unknown_unpublished_and_locked_posts(api, users, stack):
    reader, subscriber = users.create(), users.create()
    make_subscription(stack, subscriber.id)
    draft = make_post(stack, "draft-post", status="draft")
    premium = make_post(stack, "premium-post", is_premium=True)
    assert read(api, reader, draft).status == 404
    assert read(api, reader, 919_191).status == 404
    assert read(api, reader, premium).status == 403
    assert read(api, subscriber, premium).json["xp_awarded"] == 10
    assert sql(stack, "SELECT count(*) AS n FROM user_progress WHERE user_id = %s", (reader.id,))[0]["n"] == 0


def test_read_posts_list(api, users, stack):
    alice, bob = users.create(), users.create()
    older, newer = make_post(stack, "older", tags=["python"]), make_post(stack, "newer")
    read(api, alice, older, {"read_time_spent": 5})
    read(api, alice, newer)
    listed = api.get("/api/progress", token=alice.token).json
    assert listed["total"] == 2 and [i["post"]["slug"] for i in listed["items"]] == ["newer", "older"]
    assert listed["items"][1]["read_time_spent"] == 5 and listed["items"][1]["post"]["tags"][0]["slug"] == "python"
    assert "content" not in listed["items"][0]["post"]
    assert api.get("/api/progress?page_size=1&page=2", token=alice.token).json["items"][0]["post"]["slug"] == "older"
    assert api.get("/api/progress", token=bob.token).json == {"items": [], "total": 0, "page": 1, "page_size": 20}


def test_series_progress(api, users, stack):
    alice, bob = users.create(), users.create()
    parts = [make_post(stack, f"part-{n}", series="asyncio", series_position=n) for n in (1, 2, 3)]
    make_post(stack, "part-4-draft", series="asyncio", series_position=4, status="draft")
    series_id = sql(stack, "SELECT id FROM series WHERE slug = 'asyncio'")[0]["id"]
    read(api, alice, parts[0])
    read(api, alice, parts[2])

    progress = api.get(f"/api/progress/series/{series_id}", token=alice.token).json
    assert progress["series"]["slug"] == "asyncio"
    assert (progress["read"], progress["total"], progress["percent"], progress["completed"]) == (2, 3, 66, False)
    assert [(p["slug"], p["position"], p["read"]) for p in progress["posts"]] == [
        ("part-1", 1, True), ("part-2", 2, False), ("part-3", 3, True)]
    assert progress["posts"][1]["completed_at"] is None

    read(api, alice, parts[1])
    done = api.get(f"/api/progress/series/{series_id}", token=alice.token).json
    assert (done["read"], done["percent"], done["completed"]) == (3, 100, True)
    assert api.get(f"/api/progress/series/{series_id}", token=bob.token).json["read"] == 0
    assert api.get("/api/progress/series/424242", token=alice.token).status == 404


def test_stats(api, users, stack):
    alice = users.create()
    done_series = [make_post(stack, f"done-{n}", series="done", series_position=n) for n in (1, 2)]
    started = [make_post(stack, f"started-{n}", series="started", series_position=n) for n in (1, 2)]
    loose = make_post(stack, "loose")
    assert api.get("/api/progress/stats", token=alice.token).json == {
        "posts_read": 0, "total_read_time_seconds": 0, "series_completed": 0, "series_in_progress": 0,
        "xp": 0, "level": 1}
    for post, seconds in ((done_series[0], 100), (done_series[1], 200), (started[0], 50), (loose, 0)):
        read(api, alice, post, {"read_time_spent": seconds})
    assert api.get("/api/progress/stats", token=alice.token).json == {
        "posts_read": 4, "total_read_time_seconds": 350, "series_completed": 1, "series_in_progress": 1,
        "xp": 90, "level": 1}  # 4 reads, and the bonus for the completed series


def test_anonymous_callers_are_401(api, stack):
    post = make_post(stack, "p")
    assert api.post(f"/api/progress/{post}/read", {}).status == 401
    for path in ("/api/progress", "/api/progress/series/1", "/api/progress/stats"):
        assert api.get(path).status == 401


@pytest.mark.parametrize("body", [
    {"read_time_spent": -1}, {"read_time_spent": 86_401}, {"read_time_spent": "10"}, {"read_time_spent": True},
    {"read_time_spent": 1.5}, {"read_time_spent": 10**30}, {"extra": 1}, [], "x",
])
def test_bad_read_bodies_are_422(api, users, stack, body):
    alice = users.create()
    post = make_post(stack, "p")
    assert read(api, alice, post, body).status == 422


def test_bad_paths_are_422(api, users):
    alice = users.create()
    assert api.post("/api/progress/abc/read", {}, token=alice.token).status == 422
    assert api.post("/api/progress/0/read", {}, token=alice.token).status == 422
    for path in ("/api/progress/series/abc", f"/api/progress/series/{2**64}", "/api/progress?page=0",
                 "/api/progress?page_size=1000"):
        assert api.get(path, token=alice.token).status == 422, path


def test_the_body_may_be_left_out(api, users, stack):
    alice = users.create()
    post = make_post(stack, "no-body-post")
    reply = api.request("POST", f"/api/progress/{post}/read", token=alice.token)
    assert reply.status == 200, reply.text
    assert reply.json["xp_awarded"] == 10
    # A required body still refuses an empty one.
    assert api.request("POST", "/api/auth/login").status == 422
