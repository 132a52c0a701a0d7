"""GET /api/admin/posts: every status, with view and comment counts."""
import pytest

from tests.support.reader import make_post, sql


def add_comment(stack, post_id, user_id, approved):
    sql(stack, "INSERT INTO comments (post_id, user_id, content, is_approved) VALUES (%s, %s, 'c', %s)",
        (post_id, user_id, approved))


def test_needs_an_admin(api, users):
    alice = users.create()
    assert api.get("/api/admin/posts").status == 401
    assert api.get("/api/admin/posts", token=alice.token).status == 403


def test_lists_every_status_with_counts(api, users, stack):
    admin, alice = users.admin(), users.create()
    published = make_post(stack, "published-post", view_count=42, author_id=admin.id, series="basics",
                          series_position=1)
    draft = make_post(stack, "draft-post", status="draft")
    for approved in (True, True, False):
        add_comment(stack, published, alice.id, approved)
    sql(stack, "UPDATE posts SET updated_at = now() - interval '1 day' WHERE id = %s", (published,))

    page = api.get("/api/admin/posts", token=admin.token).json
    assert page["total"] == 2 and [p["id"] for p in page["items"]] == [draft, published]
    item = page["items"][1]
    assert (item["status"], item["view_count"], item["comment_count"], item["pending_comment_count"]) == (
        "published", 42, 3, 1)
    assert item["author"] == {"id": admin.id, "name": "Admin"} and item["series"]["slug"] == "basics"
    assert page["items"][0]["status"] == "draft" and page["items"][0]["published_at"] is None
    assert page["items"][0]["comment_count"] == 0 and page["items"][0]["author"] is None


def test_filters_and_pages(api, users, stack):
    admin = users.admin()
    make_post(stack, "postgres-indexes", title="PostgreSQL Indexes")
    make_post(stack, "postgres-vacuum", title="Vacuum in PostgreSQL", status="draft")
    make_post(stack, "async-python", title="Async Python 100% explained")
    get = lambda query: api.get(f"/api/admin/posts?{query}", token=admin.token).json  # noqa: E731

    assert {p["slug"] for p in get("status=draft")["items"]} == {"postgres-vacuum"}
    assert {p["slug"] for p in get("status=published")["items"]} == {"postgres-indexes", "async-python"}
    assert {p["slug"] for p in get("q=postgresql")["items"]} == {"postgres-indexes", "postgres-vacuum"}
    assert {p["slug"] for p in get("q=POSTGRES&status=published")["items"]} == {"postgres-indexes"}
    assert {p["slug"] for p in get("q=async-py")["items"]} == {"async-python"}  # matches the slug
    assert {p["slug"] for p in get("q=100%25")["items"]} == {"async-python"}
    assert get("q=%25")["total"] == 1  # a literal percent sign, not a wildcard
    assert get("q=_")["total"] == 0
    assert get("q=%27%3B%20DROP%20TABLE%20posts%3B%20--")["total"] == 0
    assert get("q=")["total"] == 3
    paged = get("page=2&page_size=2")
    assert paged["total"] == 3 and len(paged["items"]) == 1


@pytest.mark.parametrize("query", [
    "status=archived", "page=0", "page_size=101", "q=" + "x" * 101, "q=a%00b", "page=abc",
])
def test_bad_queries_are_422(api, users, query):
    admin = users.admin()
    assert api.get(f"/api/admin/posts?{query}", token=admin.token).status == 422
