"""Posts: list, filters, sorting, the post page, admin writes, publishing, views and reactions."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest

from tests.support.content import content, db_rows

POST_FIELDS = {"id", "slug", "title", "excerpt", "content", "status", "difficulty", "is_premium", "tags",
               "series", "series_position", "author", "reading_time_minutes", "published_at", "updated_at",
               "locked"}


# ---- list -----------------------------------------------------------------------------------

def test_list_shows_published_posts_newest_first_without_content(api, content):
    first = content.post("First")
    second = content.post("Second")
    content.post("Hidden draft", status="draft")
    reply = api.get("/api/posts")
    assert reply.status == 200, reply.text
    assert [p["slug"] for p in reply.json["items"]] == [second["slug"], first["slug"]]
    assert reply.json["total"] == 2 and reply.json["page"] == 1 and reply.json["page_size"] == 20
    item = reply.json["items"][0]
    assert POST_FIELDS - {"content"} <= set(item) and "content" not in item
    assert item["author"]["name"] == "Admin" and item["locked"] is False


def test_list_filters_by_tag_series_difficulty_and_q(api, content):
    tag = content.tag("Python")
    series = content.series("Async Python", slug="async-python")
    tagged = content.post("Tagged", tags=["python"])
    in_series = content.post("In series", series="async-python")
    advanced = content.post("Hard one", difficulty="advanced")
    searchable = content.post("Kubernetes operators")

    def slugs(path):
        reply = api.get(path)
        assert reply.status == 200, reply.text
        return [p["slug"] for p in reply.json["items"]]

    assert slugs(f"/api/posts?tag={tag['slug']}") == [tagged["slug"]]
    assert slugs(f"/api/posts?series={series['slug']}") == [in_series["slug"]]
    assert slugs("/api/posts?difficulty=advanced") == [advanced["slug"]]
    assert slugs("/api/posts?q=kubernetes") == [searchable["slug"]]
    assert slugs("/api/posts?tag=no-such-tag") == []
    assert slugs("/api/posts?series=no-such-series") == []
    assert api.get(f"/api/posts?tag={tag['slug']}").json["total"] == 1


def test_sorts(api, content):
    old = content.post("Old")
    new = content.post("New")
    for _ in range(3):
        api.post(f"/api/posts/{old['id']}/view")
        api.post(f"/api/posts/{old['id']}/view", token=content.token)
    assert [p["id"] for p in api.get("/api/posts?sort=oldest").json["items"]] == [old["id"], new["id"]]
    assert [p["id"] for p in api.get("/api/posts?sort=newest").json["items"]] == [new["id"], old["id"]]
    assert [p["id"] for p in api.get("/api/posts?sort=popular").json["items"]] == [old["id"], new["id"]]


def test_pagination_and_totals(api, content):
    for i in range(5):
        content.post(f"Paged {i}")
    page = api.get("/api/posts?page=2&page_size=2").json
    assert len(page["items"]) == 2 and page["total"] == 5
    last = api.get("/api/posts?page=3&page_size=2").json
    assert len(last["items"]) == 1 and last["total"] == 5
    beyond = api.get("/api/posts?page=50&page_size=2")
    assert beyond.status == 200 and beyond.json["items"] == [] and beyond.json["total"] == 5


@pytest.mark.parametrize("query", [
    "page=0", "page=-1", "page=abc", "page=99999999", "page_size=0", "page_size=101", "page_size=1e3",
    "sort=random", "difficulty=expert", "tag=Not%20A%20Slug", "series=%00", "q=%00", "q=" + "x" * 300,
])
def test_list_rejects_bad_query(api, query):
    reply = api.get(f"/api/posts?{query}")
    assert reply.status == 422, reply.text
    assert reply.json["detail"][0]["loc"][0] == "query"


@pytest.mark.parametrize("q", ['"unclosed', "-", "a & b | !c", "'; DROP TABLE posts; --", "(((", "über café",
                               "🙂", "or or", "<script>"])
def test_list_q_accepts_any_text(api, content, q):
    content.post("Something")
    assert api.get(f"/api/posts?q={quote(q)}").status == 200


# ---- one post -----------------------------------------------------------------------------

def test_get_published_post_is_public(api, content):
    post = content.post("Readable", tags=[content.tag("Go")["id"]])
    for token in (None, content.reader().token):
        reply = api.get(f"/api/posts/{post['slug']}", token=token)
        assert reply.status == 200, reply.text
        assert POST_FIELDS <= set(reply.json)
        assert reply.json["content"] == post["content"]
        assert reply.json["tags"] == [{"id": post["tags"][0]["id"], "name": "Go", "slug": "go", "post_count": 1}]


def test_drafts_are_admin_only(api, content):
    draft = content.post("Secret draft", status="draft")
    assert api.get(f"/api/posts/{draft['slug']}").status == 404
    assert api.get(f"/api/posts/{draft['slug']}", token=content.reader().token).status == 404
    reply = api.get(f"/api/posts/{draft['slug']}", token=content.token)
    assert reply.status == 200 and reply.json["status"] == "draft"


@pytest.mark.parametrize("slug", ["missing", "UPPER", "%00", "caf%C3%A9", "a--b", "x" * 300, "1"])
def test_unknown_or_odd_slug_is_404(api, slug):
    reply = api.get(f"/api/posts/{slug}")
    assert reply.status == 404, reply.text


def test_reading_time_from_word_count(api, content):
    post = content.post("Long read", content="word " * 1000)
    assert post["reading_time_minutes"] == 5
    assert content.post("Short", content="tiny")["reading_time_minutes"] == 1


# ---- create / update / delete -------------------------------------------------------------

def test_write_endpoints_require_admin(api, content):
    post = content.post("Target")
    user = content.reader()
    calls = [("POST", "/api/posts", {"title": "x"}), ("PATCH", f"/api/posts/{post['id']}", {"title": "y"}),
             ("DELETE", f"/api/posts/{post['id']}", None), ("POST", f"/api/posts/{post['id']}/publish", None)]
    for method, path, body in calls:
        assert api.request(method, path, json_body=body).status == 401
        assert api.request(method, path, json_body=body, token=user.token).status == 403


def test_create_with_tags_by_id_and_slug_and_series(api, content):
    a = content.tag("Alpha")
    content.tag("Beta")
    series = content.series("Course")
    first = content.post("Part one", tags=[a["id"], "beta", a["slug"]], series=series["id"])
    second = content.post("Part two", series=series["slug"])
    assert sorted(t["slug"] for t in first["tags"]) == ["alpha", "beta"]
    assert first["series"] == {"id": series["id"], "slug": series["slug"], "title": "Course"}
    assert (first["series_position"], second["series_position"]) == (1, 2)
    assert first["status"] == "published" and first["published_at"]
    draft = content.post("Draft", status="draft", is_premium=True, difficulty="advanced")
    assert draft["published_at"] is None and draft["is_premium"] and draft["difficulty"] == "advanced"


def test_create_derives_unique_slugs(api, content):
    assert content.post("Héllo, Wörld!")["slug"] == "hello-world"
    assert content.post("Hello World")["slug"] == "hello-world-2"
    assert content.post("???")["slug"] == "post"


@pytest.mark.parametrize("body", [
    {}, {"title": ""}, {"title": 5}, {"title": "x" * 201}, {"title": "ok", "is_premium": "maybe"},
    {"title": "ok", "tags": "python"}, {"title": "ok", "tags": [{"id": 1}]}, {"title": "ok", "slug": "Bad Slug"},
    {"title": "ok", "status": "archived"}, {"title": "ok", "content": "nul \u0000 byte"},
    {"title": "ok", "series_position": 0}, {"title": "ok", "unknown_field": 1}, {"title": "line\nbreak"},
    {"title": "ok", "tags": [0]}, {"title": "ok", "series": 2**70},
])
def test_create_rejects_bad_input(api, content, body):
    reply = api.post("/api/posts", body, token=content.token)
    assert reply.status == 422, reply.text


def test_create_rejects_unknown_references(api, content):
    reply = api.post("/api/posts", {"title": "x", "tags": ["nope", 999]}, token=content.token)
    assert reply.status == 422
    assert [e["loc"] for e in reply.json["detail"]] == [["body", "tags", 0], ["body", "tags", 1]]
    reply = api.post("/api/posts", {"title": "x", "series": "nope"}, token=content.token)
    assert reply.status == 422 and reply.json["detail"][0]["loc"] == ["body", "series"]
    reply = api.post("/api/posts", {"title": "x", "series_position": 2}, token=content.token)
    assert reply.status == 422 and reply.json["detail"][0]["loc"] == ["body", "series_position"]


def test_create_conflicts(api, content):
    series = content.series("S")
    content.post("One", slug="taken", series=series["id"], series_position=1)
    assert api.post("/api/posts", {"title": "x", "slug": "taken"}, token=content.token).status == 409
    reply = api.post("/api/posts", {"title": "x", "series": series["id"], "series_position": 1}, token=content.token)
    assert reply.status == 409, reply.text


def test_create_malformed_json(api, content):
    reply = api.request("POST", "/api/posts", body=b"{not json", token=content.token)
    assert reply.status == 422


def test_patch_is_partial(api, content):
    post = content.post("Original", excerpt="keep me", tags=[content.tag("T1")["id"]])
    updated = content.patch(post["id"], title="Renamed", content="new body words")
    assert updated["title"] == "Renamed" and updated["excerpt"] == "keep me"
    assert updated["content"] == "new body words" and updated["slug"] == post["slug"]
    assert [t["slug"] for t in updated["tags"]] == ["t1"]
    retagged = content.patch(post["id"], tags=[content.tag("T2")["slug"]])
    assert [t["slug"] for t in retagged["tags"]] == ["t2"]
    assert {t["slug"]: t["post_count"] for t in api.get("/api/tags").json["items"]} == {"t1": 0, "t2": 1}


def test_patch_series_membership(api, content):
    series = content.series("S")
    post = content.post("P")
    moved = content.patch(post["id"], series=series["slug"])
    assert moved["series"]["id"] == series["id"] and moved["series_position"] == 1
    out = content.patch(post["id"], series=None)
    assert out["series"] is None and out["series_position"] is None


@pytest.mark.parametrize("body", [{"title": None}, {"content": None}, {"is_premium": None}, {"slug": "Bad"},
                                  {"status": "published"}, {"tags": None}, {"difficulty": "hard"}])
def test_patch_rejects_bad_input(api, content, body):
    post = content.post("P")
    reply = api.patch(f"/api/posts/{post['id']}", body, token=content.token)
    assert reply.status == 422, reply.text


@pytest.mark.parametrize("path_id", ["999999", "0", "-1", "abc", str(2**63), "1.5"])
def test_patch_delete_publish_unknown_or_invalid_ids(api, content, path_id):
    expected = 404 if path_id == "999999" else 422
    assert api.patch(f"/api/posts/{path_id}", {"title": "x"}, token=content.token).status == expected
    assert api.delete(f"/api/posts/{path_id}", token=content.token).status == expected
    assert api.post(f"/api/posts/{path_id}/publish", token=content.token).status == expected


def test_slug_change_redirects_old_slug(api, content):
    post = content.post("Title", slug="first-slug")
    content.patch(post["id"], slug="second-slug")
    reply = api.get("/api/posts/first-slug")
    assert reply.status == 301
    assert reply.header("Location") == "/api/posts/second-slug"
    content.patch(post["id"], slug="third-slug")
    assert api.get("/api/posts/first-slug").header("Location") == "/api/posts/third-slug"
    assert api.get("/api/posts/second-slug").header("Location") == "/api/posts/third-slug"
    assert api.get("/api/posts/third-slug").status == 200


def test_renaming_back_reclaims_the_old_slug(api, content):
    post = content.post("Title", slug="alpha")
    content.patch(post["id"], slug="beta")
    content.patch(post["id"], slug="alpha")
    assert api.get("/api/posts/alpha").status == 200
    assert api.get("/api/posts/beta").header("Location") == "/api/posts/alpha"


def test_delete_post(api, content):
    tag = content.tag("Gone")
    post = content.post("Doomed", slug="doomed", tags=[tag["id"]])
    content.patch(post["id"], slug="doomed-2")
    assert api.delete(f"/api/posts/{post['id']}", token=content.token).status == 204
    assert api.get("/api/posts/doomed-2").status == 404
    assert api.get("/api/posts/doomed").status == 404  # its redirect went with it
    assert api.delete(f"/api/posts/{post['id']}", token=content.token).status == 404
    assert api.get("/api/tags").json["items"][0]["post_count"] == 0


# ---- publish ------------------------------------------------------------------------------

def test_publish_toggles_and_queues_reindexing(api, content, drain):
    post = content.post("Indexed", status="draft", is_premium=True)
    assert db_rows("SELECT count(*) FROM task_outbox WHERE task_type = 'embed_post'")[0][0] == 0
    published = content.publish_toggle(post["id"])
    assert published["status"] == "published" and published["published_at"]
    queued = db_rows("SELECT payload->>'post_id' FROM task_outbox WHERE task_type = 'embed_post'")
    assert queued == [(str(post["id"]),)]
    drain()
    chunks = db_rows("SELECT chunk_index, heading, embedding IS NULL, embedding_model FROM rag_chunks"
                     " WHERE post_id = %s ORDER BY chunk_index", post["id"])
    assert [c[1] for c in chunks] == ["", "First section", "Second section"]
    # The worker embeds them, with the model's id beside each vector.
    assert all(c[2] is False and c[3] for c in chunks)
    assert api.get(f"/api/posts/{post['slug']}").status == 200

    unpublished = content.publish_toggle(post["id"])
    assert unpublished["status"] == "draft" and unpublished["published_at"] == published["published_at"]
    drain()
    assert db_rows("SELECT count(*) FROM rag_chunks WHERE post_id = %s", post["id"])[0][0] == 0
    assert api.get(f"/api/posts/{post['slug']}").status == 404
    assert api.get("/api/posts").json["items"] == []


def test_editing_a_published_post_reindexes_it(api, content, drain):
    post = content.post("Indexed")
    drain()
    content.patch(post["id"], content="## Only\n\nfresh words here")
    drain()
    assert db_rows("SELECT heading, content FROM rag_chunks WHERE post_id = %s", post["id"]) == [
        ("Only", "fresh words here")]


# ---- views --------------------------------------------------------------------------------

def test_views_are_deduplicated_per_client_per_hour(api, content):
    post = content.post("Viewed")
    first = api.post(f"/api/posts/{post['id']}/view")
    assert first.status == 202 and first.json == {"counted": True}
    assert api.post(f"/api/posts/{post['id']}/view").json == {"counted": False}
    user = content.reader()
    assert api.post(f"/api/posts/{post['id']}/view", token=user.token).json == {"counted": True}
    assert api.post(f"/api/posts/{post['id']}/view", token=user.token).json == {"counted": False}
    assert api.get(f"/api/posts/{post['slug']}").json["view_count"] == 2
    assert db_rows("SELECT count(*) FROM post_views")[0][0] == 2
    assert all("." not in h for (h,) in db_rows("SELECT client_hash FROM post_views"))  # no raw IP stored


def test_views_count_again_next_hour_and_per_address(content):
    from layers.core.settings import get_settings
    from layers.core.uow import unit_of_work
    from layers.services import views

    post = content.post("Viewed")
    now = datetime(2026, 5, 11, 9, 30, tzinfo=timezone.utc)
    with unit_of_work() as uow:
        conn = uow.conn
        assert views.record(conn, get_settings(), post["id"], None, "10.0.0.1", now)
        assert not views.record(conn, get_settings(), post["id"], None, "10.0.0.1", now + timedelta(minutes=20))
        assert views.record(conn, get_settings(), post["id"], None, "10.0.0.2", now)
        assert views.record(conn, get_settings(), post["id"], None, "10.0.0.1", now + timedelta(hours=1))
    assert db_rows("SELECT view_count FROM posts WHERE id = %s", post["id"])[0][0] == 3


def test_view_of_draft_or_unknown_post_is_404(api, content):
    draft = content.post("Draft", status="draft")
    assert api.post(f"/api/posts/{draft['id']}/view").status == 404
    assert api.post("/api/posts/424242/view").status == 404
    assert api.post("/api/posts/abc/view").status == 422


# ---- reactions ----------------------------------------------------------------------------

def test_one_reaction_per_user_per_post(api, content):
    post = content.post("Liked")
    alice, bob = content.reader(), content.reader()
    path = f"/api/posts/{post['id']}/reaction"
    assert api.put(path, {"reaction_type": "like"}).status == 401
    reply = api.put(path, {"reaction_type": "like"}, token=alice.token)
    assert reply.status == 200 and reply.json == {"post_id": post["id"], "reaction_type": "like",
                                                  "reactions": {"like": 1}}
    assert api.put(path, {"reaction_type": "love"}, token=alice.token).json["reactions"] == {"love": 1}
    assert api.put(path, {"reaction_type": "love"}, token=bob.token).json["reactions"] == {"love": 2}
    seen = api.get(f"/api/posts/{post['slug']}", token=alice.token).json
    assert seen["reactions"] == {"love": 2} and seen["my_reaction"] == "love"
    assert api.delete(path, token=alice.token).status == 204
    assert api.delete(path, token=alice.token).status == 204
    assert api.delete(path).status == 401
    assert db_rows("SELECT user_id, reaction_type FROM post_reactions") == [(bob.id, "love")]


@pytest.mark.parametrize("body", [{}, {"reaction_type": "hate"}, {"reaction_type": 1}, {"reaction_type": "like", "x": 1}])
def test_reaction_rejects_bad_input(api, content, body):
    post = content.post("P")
    assert api.put(f"/api/posts/{post['id']}/reaction", body, token=content.reader().token).status == 422


def test_reaction_to_draft_or_unknown_post_is_404(api, content):
    token = content.reader().token
    draft = content.post("Draft", status="draft")
    assert api.put(f"/api/posts/{draft['id']}/reaction", {"reaction_type": "like"}, token=token).status == 404
    assert api.put("/api/posts/99999/reaction", {"reaction_type": "like"}, token=token).status == 404
    assert api.delete("/api/posts/99999/reaction", token=token).status == 404


def test_a_page_costs_the_same_number_of_queries_whatever_its_size(api, content, monkeypatch):
    from contextlib import contextmanager

    from layers.core import db

    real_connection = db.connection
    executed: list[str] = []

    class Counting:
        def __init__(self, conn):
            self._conn = conn

        def execute(self, sql, *args, **kwargs):
            executed.append(sql)
            return self._conn.execute(sql, *args, **kwargs)

        def __getattr__(self, name):
            return getattr(self._conn, name)

    @contextmanager
    def counting_connection(**options):
        with real_connection(**options) as conn:
            yield Counting(conn)

    content.tag("A")
    content.tag("B")
    series = content.series("S")

    def queries_for_page(page_size):
        executed.clear()
        with monkeypatch.context() as patch:
            patch.setattr(db, "connection", counting_connection)
            reply = api.get(f"/api/posts?page_size={page_size}")
        assert reply.status == 200 and len(reply.json["items"]) == page_size
        return len(executed)

    for i in range(12):
        content.post(f"Post {i}", tags=["a", "b"], series=series["id"])
    assert queries_for_page(2) == queries_for_page(10) <= 3
