"""Series: list, one series with posts in order and the reader's progress, navigation, admin writes."""
from __future__ import annotations

import pytest

from tests.support.content import content, db_rows


@pytest.fixture
def course(content):
    series = content.series("Postgres in practice", slug="pg", description="From indexes to partitions.")
    third = content.post("Partitioning", series="pg", series_position=3)
    first = content.post("Indexes", series="pg", series_position=1)
    second = content.post("Explain", series="pg", series_position=2)
    draft = content.post("Unfinished", series="pg", series_position=4, status="draft")
    return {"series": series, "posts": [first, second, third], "draft": draft}


def test_list_series_with_posts(api, content, course):
    content.series("Another", slug="another")
    reply = api.get("/api/series")
    assert reply.status == 200, reply.text
    assert [s["slug"] for s in reply.json["items"]] == ["another", "pg"]
    assert reply.json["total"] == 2
    pg = reply.json["items"][1]
    assert pg["post_count"] == 3 and [p["position"] for p in pg["posts"]] == [1, 2, 3]
    assert api.get("/api/series?page_size=1&page=2").json["items"][0]["slug"] == "pg"


def test_get_series_lists_published_posts_in_order(api, course):
    reply = api.get("/api/series/pg")
    assert reply.status == 200, reply.text
    body = reply.json
    assert {"id", "slug", "title", "description", "posts"} <= set(body)
    assert body["description"] == "From indexes to partitions."
    assert [p["slug"] for p in body["posts"]] == [p["slug"] for p in course["posts"]]
    assert body["posts"][0] == {"id": course["posts"][0]["id"], "slug": "indexes", "title": "Indexes", "position": 1}
    assert body["progress"] is None


def test_get_series_includes_the_callers_progress(api, content, course):
    reader = content.reader()
    db_rows("INSERT INTO user_progress (user_id, post_id) VALUES (%s, %s), (%s, %s) RETURNING post_id",
            reader.id, course["posts"][0]["id"], reader.id, course["draft"]["id"])
    progress = api.get("/api/series/pg", token=reader.token).json["progress"]
    assert progress == {"completed": 1, "total": 3, "percent": 33.3,
                        "completed_post_ids": [course["posts"][0]["id"]]}
    other = api.get("/api/series/pg", token=content.reader().token).json["progress"]
    assert other["completed"] == 0 and other["percent"] == 0.0


def test_series_page_and_progress_router_agree_and_round_down(api, content, course):
    reader = content.reader()
    for post in course["posts"][:2]:
        assert api.post(f"/api/progress/{post['id']}/read", {}, token=reader.token).status == 200
    page = api.get("/api/series/pg", token=reader.token).json["progress"]
    router = api.get(f"/api/progress/series/{course['series']['id']}", token=reader.token).json
    assert (page["completed"], page["total"], page["percent"]) == (2, 3, 66.6)
    assert (router["read"], router["total"], router["percent"]) == (2, 3, 66)
    assert page["completed_post_ids"] == [p["id"] for p in router["posts"] if p["read"]]


@pytest.mark.parametrize("slug", ["missing", "UPPER", "%00", "x" * 300])
def test_unknown_series_is_404(api, slug):
    assert api.get(f"/api/series/{slug}").status == 404
    assert api.get(f"/api/series/{slug}/navigation?post=indexes").status == 404


def test_navigation(api, course):
    def nav(post):
        reply = api.get(f"/api/series/pg/navigation?post={post}")
        assert reply.status == 200, reply.text
        return reply.json

    middle = nav("explain")
    assert middle["previous"]["slug"] == "indexes" and middle["next"]["slug"] == "partitioning"
    assert middle["next"] == {"id": course["posts"][2]["id"], "slug": "partitioning", "title": "Partitioning",
                              "position": 3}
    assert nav("indexes")["previous"] is None
    assert nav("partitioning")["next"] is None  # the draft after it is not offered


def test_navigation_bad_input(api, content, course):
    content.post("Elsewhere")
    assert api.get("/api/series/pg/navigation").status == 422
    assert api.get("/api/series/pg/navigation?post=Bad%20Slug").status == 422
    assert api.get("/api/series/pg/navigation?post=elsewhere").status == 404
    assert api.get("/api/series/pg/navigation?post=unfinished").status == 404


def test_writes_require_admin(api, content, course):
    series_id = course["series"]["id"]
    reader = content.reader()
    calls = [("POST", "/api/series", {"title": "x"}), ("PATCH", f"/api/series/{series_id}", {"title": "y"}),
             ("DELETE", f"/api/series/{series_id}", None)]
    for method, path, body in calls:
        assert api.request(method, path, json_body=body).status == 401
        assert api.request(method, path, json_body=body, token=reader.token).status == 403


def test_create_update_delete(api, content, course):
    created = api.post("/api/series", {"title": "Async Python"}, token=content.token)
    assert created.status == 201 and created.json["slug"] == "async-python" and created.json["posts"] == []
    assert api.post("/api/series", {"title": "Other", "slug": "pg"}, token=content.token).status == 409
    assert api.post("/api/series", {"title": "Async Python"}, token=content.token).json["slug"] == "async-python-2"

    series_id = course["series"]["id"]
    patched = api.patch(f"/api/series/{series_id}", {"description": "New"}, token=content.token)
    assert patched.status == 200 and patched.json["description"] == "New" and patched.json["title"] == course[
        "series"]["title"]
    assert api.patch(f"/api/series/{series_id}", {"slug": "async-python"}, token=content.token).status == 409

    assert api.delete(f"/api/series/{series_id}", token=content.token).status == 204
    assert api.get("/api/series/pg").status == 404
    post = api.get("/api/posts/indexes").json
    assert post["series"] is None and post["series_position"] is None
    assert api.delete(f"/api/series/{series_id}", token=content.token).status == 404


@pytest.mark.parametrize("body", [{}, {"title": ""}, {"title": None}, {"title": 1}, {"title": "x", "slug": "No"},
                                  {"title": "x", "extra": True}, {"title": "x", "description": "\u0000"}])
def test_create_rejects_bad_input(api, content, body):
    assert api.post("/api/series", body, token=content.token).status == 422


@pytest.mark.parametrize("body", [{"title": None}, {"slug": None}, {"description": 5}])
def test_patch_rejects_bad_input(api, content, course, body):
    assert api.patch(f"/api/series/{course['series']['id']}", body, token=content.token).status == 422


def test_patch_delete_unknown_ids(api, content):
    assert api.patch("/api/series/9999", {"title": "x"}, token=content.token).status == 404
    assert api.patch("/api/series/abc", {"title": "x"}, token=content.token).status == 422
    assert api.delete("/api/series/0", token=content.token).status == 422
