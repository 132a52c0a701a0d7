"""Recommendations: related to what the reader read, popular otherwise; premium posts gated."""
from datetime import datetime, timedelta, timezone

from tests.support.reader import add_view, make_post, make_subscription

NOW = datetime.now(timezone.utc)


def slugs(reply):
    assert reply.status == 200, reply.text
    return [item["slug"] for item in reply.json["items"]]


def views(stack, post_id, count, *, days_ago=0):
    for n in range(count):
        add_view(stack, post_id, client=f"client-{n}", at=NOW - timedelta(days=days_ago, hours=n))


def test_anonymous_callers_get_popular_posts(api, stack):
    hot, steady = make_post(stack, "hot"), make_post(stack, "steady", view_count=1000)
    make_post(stack, "classic", view_count=50)
    old_news = make_post(stack, "old-news")
    make_post(stack, "draft", status="draft", view_count=10**6)
    views(stack, hot, 3)
    views(stack, steady, 1)
    views(stack, old_news, 10, days_ago=40)  # outside the 30-day window
    reply = api.get("/api/recommendations")
    assert slugs(reply) == ["hot", "steady", "classic", "old-news"]
    assert reply.json["strategy"] == "popular" and reply.json["total"] == 4
    assert [item["score"] for item in reply.json["items"]] == [3, 1, 0, 0]


def test_reader_without_reads_gets_popular_posts(api, users, stack):
    alice = users.create()
    make_post(stack, "quiet")
    views(stack, make_post(stack, "busy"), 2)
    reply = api.get("/api/recommendations", token=alice.token)
    assert reply.json["strategy"] == "popular" and slugs(reply) == ["busy", "quiet"]


def test_personalised_by_shared_tags_and_series(api, users, stack):
    alice = users.create()
    seen = make_post(stack, "seen", tags=["python", "asyncio"], series="async", series_position=1)
    make_post(stack, "both-tags", tags=["python", "asyncio"], published_at=NOW - timedelta(days=9))
    make_post(stack, "one-tag-older", tags=["python"], published_at=NOW - timedelta(days=5))
    make_post(stack, "series-newer", series="async", series_position=2, published_at=NOW - timedelta(days=1))
    make_post(stack, "tag-and-series", tags=["asyncio"], series="async", series_position=3,
              published_at=NOW - timedelta(days=20))
    make_post(stack, "unrelated", tags=["rust"])
    make_post(stack, "related-draft", tags=["python"], status="draft")
    views(stack, make_post(stack, "popular-unrelated"), 50)
    assert api.post(f"/api/progress/{seen}/read", {}, token=alice.token).status == 200

    reply = api.get("/api/recommendations", token=alice.token)
    assert reply.json["strategy"] == "personalised"
    assert slugs(reply) == ["both-tags", "tag-and-series", "series-newer", "one-tag-older"]
    assert [item["score"] for item in reply.json["items"]] == [2, 2, 1, 1]
    second = api.get("/api/recommendations?page=2&page_size=3", token=alice.token)
    assert slugs(second) == ["one-tag-older"] and second.json["total"] == 4


def test_falls_back_to_popular_when_nothing_related_is_left(api, users, stack):
    alice = users.create()
    only = make_post(stack, "only-python", tags=["python"])
    views(stack, only, 5)
    make_post(stack, "other", tags=["rust"])
    api.post(f"/api/progress/{only}/read", {}, token=alice.token)
    reply = api.get("/api/recommendations", token=alice.token)
    assert reply.json["strategy"] == "popular" and slugs(reply) == ["other"]  # read posts left out


def test_premium_posts_are_summaries_with_a_lock(api, users, stack):
    reader, subscriber, admin = users.create(), users.create(), users.admin()
    make_subscription(stack, subscriber.id)
    make_post(stack, "premium-deep-dive", is_premium=True, content="SECRET BODY")
    for token, locked in ((None, True), (reader.token, True), (subscriber.token, False), (admin.token, False)):
        [item] = api.get("/api/recommendations", token=token).json["items"]
        assert item["is_premium"] is True and item["locked"] is locked
        assert "content" not in item and "SECRET" not in str(item)


def test_bad_queries_are_422_and_bad_tokens_401(api):
    for query in ("page=0", "page_size=101", "page=abc", "page=10001"):
        assert api.get(f"/api/recommendations?{query}").status == 422, query
    assert api.get("/api/recommendations", token="garbage").status == 401
