"""Tags: list with post counts, admin writes, merging."""
from __future__ import annotations

import pytest

from tests.support.content import content, db_rows


def _counts(api) -> dict[str, int]:
    reply = api.get("/api/tags")
    assert reply.status == 200, reply.text
    return {t["slug"]: t["post_count"] for t in reply.json["items"]}


def test_list_counts_published_posts_only(api, content):
    content.tag("Python")
    content.tag("Go")
    post = content.post("One", tags=["python"])
    content.post("Two", tags=["python", "go"])
    content.post("Draft", tags=["python"], status="draft")
    assert _counts(api) == {"go": 1, "python": 2}
    content.publish_toggle(post["id"])  # back to draft
    assert _counts(api) == {"go": 1, "python": 1}
    api.delete(f"/api/posts/{post['id']}", token=content.token)
    assert _counts(api) == {"go": 1, "python": 1}


def test_list_sorting_and_shape(api, content):
    for name in ("Beta", "Alpha", "Gamma"):
        content.tag(name)
    content.post("P", tags=["gamma"])
    items = api.get("/api/tags").json["items"]
    assert [t["slug"] for t in items] == ["alpha", "beta", "gamma"]
    assert set(items[0]) == {"id", "name", "slug", "post_count"}
    assert api.get("/api/tags?sort=popular").json["items"][0]["slug"] == "gamma"
    assert api.get("/api/tags?sort=nope").status == 422
    assert api.get("/api/tags?page_size=1&page=2").json["items"][0]["slug"] == "beta"


def test_writes_require_admin(api, content):
    tag = content.tag("T")
    reader = content.reader()
    calls = [("POST", "/api/tags", {"name": "x"}), ("PATCH", f"/api/tags/{tag['id']}", {"name": "y"}),
             ("DELETE", f"/api/tags/{tag['id']}", None),
             ("POST", "/api/tags/merge", {"source_ids": [tag["id"]], "target_id": tag["id"]})]
    for method, path, body in calls:
        assert api.request(method, path, json_body=body).status == 401
        assert api.request(method, path, json_body=body, token=reader.token).status == 403


def test_create_update_delete(api, content):
    created = content.tag("Machine Learning")
    assert created == {"id": created["id"], "name": "Machine Learning", "slug": "machine-learning", "post_count": 0}
    assert api.post("/api/tags", {"name": "Machine Learning"}, token=content.token).status == 409
    assert api.post("/api/tags", {"name": "ML", "slug": "machine-learning"}, token=content.token).status == 409
    other = content.tag("AI")
    renamed = api.patch(f"/api/tags/{created['id']}", {"name": "ML", "slug": "ml"}, token=content.token)
    assert renamed.status == 200 and renamed.json["slug"] == "ml" and renamed.json["name"] == "ML"
    assert api.patch(f"/api/tags/{other['id']}", {"name": "ML"}, token=content.token).status == 409
    post = content.post("Tagged", tags=["ml"])
    assert api.delete(f"/api/tags/{created['id']}", token=content.token).status == 204
    assert api.get(f"/api/posts/{post['slug']}").json["tags"] == []
    assert api.delete(f"/api/tags/{created['id']}", token=content.token).status == 404
    assert api.patch(f"/api/tags/{created['id']}", {"name": "x"}, token=content.token).status == 404


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "x" * 61}, {"name": None}, {"name": 3},
                                  {"name": "ok", "slug": "Not OK"}, {"name": "ok", "post_count": 4},
                                  {"name": "tab\there"}])
def test_create_rejects_bad_input(api, content, body):
    assert api.post("/api/tags", body, token=content.token).status == 422


def test_merge_moves_posts_and_deletes_sources(api, content):
    target = content.tag("PostgreSQL")
    pg = content.tag("Postgres")
    psql = content.tag("psql")
    both = content.post("Both", tags=["postgresql", "postgres"])
    only_source = content.post("Only source", tags=["psql"])
    draft = content.post("Draft", tags=["postgres"], status="draft")
    reply = api.post("/api/tags/merge", {"source_ids": [pg["id"], psql["id"]], "target_id": target["id"]},
                     token=content.token)
    assert reply.status == 200, reply.text
    assert reply.json == {"id": target["id"], "name": "PostgreSQL", "slug": "postgresql", "post_count": 2}
    assert _counts(api) == {"postgresql": 2}
    for post in (both, only_source):
        assert [t["slug"] for t in api.get(f"/api/posts/{post['slug']}").json["tags"]] == ["postgresql"]
    assert db_rows("SELECT tag_id FROM post_tags WHERE post_id = %s", draft["id"]) == [(target["id"],)]


def test_merge_errors_change_nothing(api, content):
    target = content.tag("Target")
    source = content.tag("Source")
    content.post("P", tags=["source"])

    def merge(body):
        return api.post("/api/tags/merge", body, token=content.token)

    assert merge({"source_ids": [source["id"], 9999], "target_id": target["id"]}).status == 404
    assert merge({"source_ids": [source["id"]], "target_id": 9999}).status == 404
    assert merge({"source_ids": [target["id"]], "target_id": target["id"]}).status == 400
    for bad in ({"source_ids": [], "target_id": target["id"]}, {"source_ids": source["id"], "target_id": 1},
                {"source_ids": ["x"], "target_id": target["id"]}, {"source_ids": [source["id"]]},
                {"source_ids": [0], "target_id": target["id"]}, {"source_ids": [1] * 101, "target_id": 2}):
        assert merge(bad).status == 422, bad
    assert _counts(api) == {"source": 1, "target": 0}


def test_invalid_ids(api, content):
    assert api.patch("/api/tags/abc", {"name": "x"}, token=content.token).status == 422
    assert api.delete(f"/api/tags/{2**64}", token=content.token).status == 422
