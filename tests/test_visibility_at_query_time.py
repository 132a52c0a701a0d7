"""A post's visibility follows the post at once, on every path that serves its text.

Each test changes a post through the API (made premium, made free, unpublished, deleted) and
reads immediately, with the queued re-embedding task NOT run: the post's chunks still hold its
body as it was indexed, so only a query that joins the post's current ``status`` and
``is_premium`` can answer right. Paths: related (by query and by post), Ask AI, hybrid search,
full-text search, the feeds, recommendations and the post page; callers: anonymous, a free
reader, a subscriber (and an admin for unpublished posts).
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.support.content import content
from tests.support.rag import ask, hashed, hybrid, related

SECRET = "zorblattic"
# One section under the chunk size: one chunk, whose last sentence holds the secret word, far past
# any preview (at most a third of the body).
BODY = ("Opening words anyone may read about warming a page cache before traffic arrives. "
        + "Measure first, then warm the pages readers request most, in the order they ask for them. " * 4
        + f"The last trick is the {SECRET} cache warmer, which replays yesterday's access log.")
EXCERPT = "A teaser about warming caches."
QUESTION = f"What does the {SECRET} cache warmer replay?"


@pytest.fixture
def world(api, content, drain, hashed) -> dict[str, Any]:
    tag = content.tag("Caching")["slug"]
    post = content.post("Warming caches", content=BODY, excerpt=EXCERPT, tags=[tag])
    neighbour = content.post("Cold starts", content="Warming a page cache avoids cold starts for readers.",
                             excerpt="Cold starts.", tags=[tag])
    drain()  # the chunks exist and are embedded; from here on the queue is never drained
    readers = {"anonymous": None, "free": content.reader(), "subscriber": content.reader(premium=True)}
    for reader in (readers["free"], readers["subscriber"]):  # reads make recommendations personal
        assert api.post(f"/api/progress/{neighbour['id']}/read", {}, token=reader.token).status == 200
    return {"post": post, "neighbour": neighbour,
            "tokens": {name: r and r.token for name, r in readers.items()} | {"admin": content.token}}


def served(api: Any, world: dict[str, Any], token: str | None) -> dict[str, Any]:
    """Every path's answer for this caller: ``(ids of the posts it lists, its whole text)``."""
    post, neighbour = world["post"], world["neighbour"]
    replies = {
        "related by query": (related(api, token, q=SECRET), "items", "post_id"),
        "related to a post": (related(api, token, post_id=neighbour["id"]), "items", "post_id"),
        "hybrid search": (hybrid(api, SECRET, token), "items", "id"),
        "full-text search": (api.get(f"/api/search?q={SECRET}", token=token), "items", "id"),
        "recommendations": (api.get("/api/recommendations?page_size=50", token=token), "items", "id"),
    }
    if token is not None:
        replies["ask"] = (ask(api, QUESTION, token), "sources", "post_id")
    out: dict[str, Any] = {}
    for name, (reply, key, id_key) in replies.items():
        assert reply.status == 200, (name, reply.text)
        out[name] = ({item[id_key] for item in reply.json[key]}, reply.text)
    for fmt in ("rss", "atom"):
        reply = api.get(f"/api/feed?format={fmt}", token=token)
        assert reply.status == 200
        out[f"{fmt} feed"] = ({post["id"]} if f"/posts/{post['slug']}" in reply.text else set(), reply.text)
    page = api.get(f"/api/posts/{post['slug']}", token=token)
    out["post page"] = ({post["id"]} if page.status == 200 else set(), page.text if page.status == 200 else "")
    out["locked in recommendations"] = {
        item["locked"] for item in api.get("/api/recommendations?page_size=50", token=token).json["items"]
        if item["id"] == post["id"]}
    return out


def _paths_quoting_the_secret(answers: dict[str, Any]) -> set[str]:
    return {name for name, value in answers.items() if isinstance(value, tuple) and SECRET in value[1]}


def _paths_listing(answers: dict[str, Any], post_id: int) -> set[str]:
    return {name for name, value in answers.items() if isinstance(value, tuple) and post_id in value[0]}


# Where the secret word is found for a caller who may read the body. Related items and Ask AI
# sources quote a chunk's opening words (body text too, so listing the post there is a leak), and
# an extractive answer quotes whichever sentences score best.
QUOTING = {"hybrid search", "full-text search", "post page"}
# Where the post is found through its body or its chunks, for a caller who may read it.
LISTING_BY_BODY = {"related by query", "related to a post", "hybrid search", "full-text search", "ask"}


def test_a_post_made_premium_stops_serving_its_body_to_free_callers_at_once(api, content, world):
    post = world["post"]
    before = served(api, world, world["tokens"]["free"])
    assert QUOTING | {"rss feed", "atom feed"} <= _paths_quoting_the_secret(before)  # the test can see a leak
    assert LISTING_BY_BODY <= _paths_listing(before, post["id"])

    content.patch(post["id"], is_premium=True)  # the re-embedding it may queue is never run

    for who in ("anonymous", "free"):
        now = served(api, world, world["tokens"][who])
        assert _paths_quoting_the_secret(now) == set(), who
        # Not even listed: a free caller matches a premium post on its title and excerpt only.
        assert _paths_listing(now, post["id"]) <= {"recommendations", "rss feed", "atom feed", "post page"}, who
        assert now["locked in recommendations"] <= {True}, who
    subscriber = served(api, world, world["tokens"]["subscriber"])
    assert QUOTING <= _paths_quoting_the_secret(subscriber)
    assert LISTING_BY_BODY <= _paths_listing(subscriber, post["id"])
    assert subscriber["locked in recommendations"] == {False}
    assert SECRET not in subscriber["rss feed"][1]  # the feed is public: excerpts of premium posts only


def test_a_post_made_free_serves_its_body_to_everyone_at_once(api, content, world):
    post = world["post"]
    content.patch(post["id"], is_premium=True)
    for who in ("anonymous", "free"):
        assert _paths_quoting_the_secret(served(api, world, world["tokens"][who])) == set()

    content.patch(post["id"], is_premium=False)

    free = served(api, world, world["tokens"]["free"])
    assert QUOTING | {"rss feed", "atom feed"} <= _paths_quoting_the_secret(free)
    assert LISTING_BY_BODY <= _paths_listing(free, post["id"])
    assert QUOTING <= _paths_quoting_the_secret(served(api, world, None))


@pytest.mark.parametrize("change", ["unpublished", "deleted", "premium, then unpublished"])
def test_an_unpublished_or_deleted_post_vanishes_from_every_path_at_once(api, content, world, change):
    post = world["post"]
    if change.startswith("premium"):
        content.patch(post["id"], is_premium=True)
    if change == "deleted":
        assert api.delete(f"/api/posts/{post['id']}", token=content.token).status == 204
    else:
        assert content.publish_toggle(post["id"])["status"] == "draft"

    for who, token in world["tokens"].items():
        now = served(api, world, token)
        # An admin still opens a draft's own page to edit it; nothing else serves it to anyone.
        allowed = {"post page"} if who == "admin" and change != "deleted" else set()
        assert _paths_listing(now, post["id"]) <= allowed, (who, change)
        assert _paths_quoting_the_secret(now) <= allowed, (who, change)
