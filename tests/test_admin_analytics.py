"""Admin analytics: totals and per-post activity over a date range."""
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.reader import add_view, make_post, sql

TODAY = datetime.now(timezone.utc).replace(hour=12, minute=0, second=0, microsecond=0)


def at(days_ago):
    return TODAY - timedelta(days=days_ago)


def day(days_ago):
    return at(days_ago).date().isoformat()


@pytest.fixture
def activity(stack, users):
    """Two posts with activity 5 days ago (inside) and 60 days ago (outside the default range)."""
    alice, bob = users.create(), users.create()
    sql(stack, "UPDATE users SET created_at = %s WHERE id = %s", (at(60), alice.id))
    sql(stack, "UPDATE users SET created_at = %s WHERE id = %s", (at(5), bob.id))
    hot = make_post(stack, "hot", published_at=at(5))
    cold = make_post(stack, "cold", published_at=at(60))
    draft = make_post(stack, "draft", status="draft")
    for n in range(3):
        add_view(stack, hot, client=f"c{n}", at=at(5))
    add_view(stack, cold, at=at(60))
    add_view(stack, cold, client="recent", at=at(1))
    for user, post, when in ((alice, hot, at(5)), (bob, hot, at(4)), (alice, cold, at(60))):
        sql(stack, "INSERT INTO user_progress (user_id, post_id, completed_at) VALUES (%s, %s, %s)",
            (user.id, post, when))
    for user, post, when in ((alice, cold, at(3)), (bob, cold, at(2)), (bob, hot, at(90))):
        sql(stack, "INSERT INTO post_reactions (user_id, post_id, reaction_type, created_at)"
                   " VALUES (%s, %s, 'like', %s)", (user.id, post, when))
    sql(stack, "INSERT INTO comments (post_id, user_id, content, created_at) VALUES (%s, %s, 'x', %s)",
        (hot, alice.id, at(2)))
    return {"hot": hot, "cold": cold, "draft": draft}


def test_needs_an_admin(api, users):
    alice = users.create()
    for path in ("/api/admin/analytics/overview", "/api/admin/analytics/posts"):
        assert api.get(path).status == 401
        assert api.get(path, token=alice.token).status == 403


def test_overview_defaults_to_the_last_30_days(api, users, activity):
    admin = users.admin()  # registered now: a new user too
    reply = api.get("/api/admin/analytics/overview", token=admin.token)
    assert reply.status == 200, reply.text
    assert reply.json == {"start": day(29), "end": day(0), "users": 3, "new_users": 2, "posts": 2, "new_posts": 1,
                          "views": 4, "reads": 2, "reactions": 2, "comments": 1}


def test_overview_for_an_explicit_range(api, users, activity):
    admin = users.admin()
    old = api.get(f"/api/admin/analytics/overview?from={day(61)}&to={day(59)}", token=admin.token).json
    assert old == {"start": day(61), "end": day(59), "users": 1, "new_users": 1, "posts": 1, "new_posts": 1,
                   "views": 1, "reads": 1, "reactions": 0, "comments": 0}
    one_day = api.get(f"/api/admin/analytics/overview?from={day(5)}&to={day(5)}", token=admin.token).json
    assert (one_day["views"], one_day["reads"], one_day["new_users"]) == (3, 1, 1)
    empty = api.get("/api/admin/analytics/overview?from=2001-01-01&to=2001-12-31", token=admin.token).json
    assert empty["users"] == 0 and empty["views"] == 0


def test_per_post_activity(api, users, activity):
    admin = users.admin()
    page = api.get("/api/admin/analytics/posts", token=admin.token).json
    assert page["total"] == 3
    rows = {r["slug"]: r for r in page["items"]}
    assert [r["slug"] for r in page["items"]][:2] == ["hot", "cold"]
    assert {k: rows["hot"][k] for k in ("views", "reads", "reactions", "comments")} == \
        {"views": 3, "reads": 2, "reactions": 0, "comments": 1}
    assert {k: rows["cold"][k] for k in ("views", "reads", "reactions", "comments")} == \
        {"views": 1, "reads": 0, "reactions": 2, "comments": 0}
    assert rows["draft"]["status"] == "draft" and rows["draft"]["views"] == 0
    by_reactions = api.get("/api/admin/analytics/posts?sort=reactions&page_size=1", token=admin.token).json
    assert by_reactions["total"] == 3 and by_reactions["items"][0]["slug"] == "cold"
    old = api.get(f"/api/admin/analytics/posts?from={day(90)}&to={day(50)}&sort=reads", token=admin.token).json
    assert old["items"][0]["slug"] == "cold" and old["items"][0]["reads"] == 1


@pytest.mark.parametrize("query", [
    "from=2026-02-01&to=2026-01-01", "from=yesterday", "to=2026-13-01", "from=0001-01-01", "to=99999-01-01",
    "from=2026-01-01%00", "sort=likes", "page=0", "page_size=101",
])
def test_bad_queries_are_422(api, users, query):
    admin = users.admin()
    path = "/api/admin/analytics/posts" if query.startswith(("sort", "page")) else "/api/admin/analytics/overview"
    assert api.get(f"{path}?{query}", token=admin.token).status == 422, query
    assert api.get(f"/api/admin/analytics/posts?{query}", token=admin.token).status == 422, query


def test_from_after_default_to_is_422(api, users):
    admin = users.admin()
    reply = api.get(f"/api/admin/analytics/overview?from={(TODAY + timedelta(days=2)).date()}", token=admin.token)
    assert reply.status == 422 and reply.json["detail"][0]["loc"] == ["query"]


def test_dates_are_calendar_dates_not_seconds_since_1970(api, users):
    admin = users.admin()
    for value in ("0", "1700000000", "2026-13-01", "yesterday"):
        reply = api.get(f"/api/admin/analytics/overview?from={value}", token=admin.token)
        assert reply.status == 422, (value, reply.text)
        assert reply.json["detail"][0]["loc"] == ["query", "from"]
    assert api.get("/api/admin/analytics/overview?from=2026-01-01&to=2026-01-31", token=admin.token).status == 200


def test_an_empty_search_box_means_no_filter_and_the_document_says_so(api, users):
    from layers.http.openapi import document

    admin = users.admin()
    assert api.get("/api/admin/users?q=", token=admin.token).json["total"] == 1
    params = document()["paths"]["/api/admin/users"]["get"]["parameters"]
    q = next(p for p in params if p["name"] == "q")
    assert "minLength" not in q["schema"]
