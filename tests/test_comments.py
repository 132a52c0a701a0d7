"""Comments: the public tree, posting and deleting, and the admin moderation queue."""
import pytest

from tests.support.reader import make_post, sql


@pytest.fixture
def post(stack):
    return make_post(stack, "indexes")


def comment(api, account, post_id, content="Nice post", parent_id=None):
    body = {"content": content} | ({"parent_id": parent_id} if parent_id else {})
    reply = api.post(f"/api/posts/{post_id}/comments", body, token=account.token)
    assert reply.status == 201, reply.text
    return reply.json


def approve(api, admin, comment_id):
    reply = api.post(f"/api/admin/comments/{comment_id}/approve", token=admin.token)
    assert reply.status == 200, reply.text
    return reply.json


def notifications_of(api, account):
    return api.get("/api/notifications", token=account.token).json["items"]


def test_new_comment_awaits_moderation_but_its_author_sees_it(api, users, post):
    alice, bob = users.create(name="Alice"), users.create(name="Bob")
    created = comment(api, alice, post, "  First!\nSecond line  ")
    assert created["content"] == "First!\nSecond line"
    assert created["is_approved"] is False and created["replies"] == []
    assert created["author"] == {"id": alice.id, "name": "Alice"} and created["post_id"] == post

    assert api.get(f"/api/posts/{post}/comments").json == {"items": [], "total": 0, "page": 1, "page_size": 20}
    assert api.get(f"/api/posts/{post}/comments", token=bob.token).json["items"] == []
    mine = api.get(f"/api/posts/{post}/comments", token=alice.token).json
    assert [c["id"] for c in mine["items"]] == [created["id"]] and mine["total"] == 1


def test_tree_nests_replies_and_hides_other_peoples_pending_ones(api, users, post):
    alice, bob, carol = users.create(name="Alice"), users.create(name="Bob"), users.create(name="Carol")
    admin = users.admin()
    root = comment(api, alice, post, "root")
    approve(api, admin, root["id"])
    reply = comment(api, bob, post, "reply", parent_id=root["id"])

    public = api.get(f"/api/posts/{post}/comments").json["items"]
    assert [c["id"] for c in public] == [root["id"]] and public[0]["replies"] == []
    bobs = api.get(f"/api/posts/{post}/comments", token=bob.token).json["items"]
    assert [r["id"] for r in bobs[0]["replies"]] == [reply["id"]]
    assert bobs[0]["replies"][0]["is_approved"] is False

    approve(api, admin, reply["id"])
    nested = comment(api, carol, post, "nested", parent_id=reply["id"])
    assert api.get(f"/api/posts/{post}/comments").json["items"][0]["replies"][0]["replies"] == []
    carols = api.get(f"/api/posts/{post}/comments", token=carol.token).json["items"]
    assert carols[0]["replies"][0]["replies"][0]["id"] == nested["id"]

    approve(api, admin, nested["id"])
    tree = api.get(f"/api/posts/{post}/comments").json["items"]
    assert tree[0]["replies"][0]["id"] == reply["id"]
    assert tree[0]["replies"][0]["parent_id"] == root["id"]
    assert tree[0]["replies"][0]["replies"][0]["content"] == "nested"


def test_tree_is_read_with_one_query_however_many_replies(stack, users, api, post):
    from layers.core import db
    from layers.core.pagination import PageQuery
    from layers.services import comments

    alice = users.create()
    parent = None
    for depth in range(5):
        [row] = sql(stack, "INSERT INTO comments (post_id, user_id, parent_id, content, is_approved)"
                           " VALUES (%s, %s, %s, %s, true) RETURNING id", (post, alice.id, parent, f"c{depth}"))
        parent = row["id"]
    for n in range(20):
        sql(stack, "INSERT INTO comments (post_id, user_id, parent_id, content, is_approved)"
                   " VALUES (%s, %s, %s, %s, true)", (post, alice.id, parent, f"leaf {n}"))

    class Counting:
        def __init__(self, conn):
            self.conn, self.statements = conn, []

        def execute(self, query, params=None):
            self.statements.append(query)
            return self.conn.execute(query, params)

    with db.connection() as conn:
        counting = Counting(conn)
        page = comments.tree(counting, post, None, PageQuery())
    # One statement checks the post is published, one reads the whole tree.
    assert len(counting.statements) == 2
    node, depth = page["items"][0], 1
    while node["replies"] and len(node["replies"]) == 1:
        node, depth = node["replies"][0], depth + 1
    assert depth == 5 and len(node["replies"]) == 20


def test_pages_count_top_level_comments(api, users, post):
    alice, admin = users.create(), users.admin()
    roots = [comment(api, alice, post, f"root {n}")["id"] for n in range(3)]
    reply = comment(api, alice, post, "a reply", parent_id=roots[0])["id"]
    for comment_id in [*roots, reply]:
        approve(api, admin, comment_id)
    first = api.get(f"/api/posts/{post}/comments?page_size=2").json
    assert first["total"] == 3 and [c["id"] for c in first["items"]] == roots[:2]
    assert first["items"][0]["replies"][0]["id"] == reply
    second = api.get(f"/api/posts/{post}/comments?page_size=2&page=2").json
    assert second["total"] == 3 and [c["id"] for c in second["items"]] == roots[2:]
    beyond = api.get(f"/api/posts/{post}/comments?page_size=2&page=9").json
    assert beyond == {"items": [], "total": 3, "page": 9, "page_size": 2}


def test_reply_notifies_the_parent_author_but_not_oneself(api, users, post):
    alice, bob, admin = users.create(name="Alice"), users.create(name="Bob"), users.admin()
    root = comment(api, alice, post, "root")
    approve(api, admin, root["id"])
    comment(api, alice, post, "adding to my own comment", parent_id=root["id"])
    assert [n["type"] for n in notifications_of(api, alice)] == ["comment_approved"]
    reply = comment(api, bob, post, "a reply", parent_id=root["id"])
    newest = notifications_of(api, alice)[0]
    assert newest["type"] == "comment_reply" and "Bob" in newest["title"] and newest["is_read"] is False
    assert newest["link"] == f"/posts/indexes#comment-{reply['id']}"
    assert "a reply" not in newest["message"]  # not moderated yet: the text stays out
    assert notifications_of(api, bob) == []


def test_parent_must_be_a_visible_comment_on_the_same_post(api, users, stack, post):
    alice, bob = users.create(), users.create()
    other_post = make_post(stack, "other-post")
    elsewhere = comment(api, alice, other_post, "on another post")
    pending_of_alice = comment(api, alice, post, "pending")
    for parent_id in (elsewhere["id"], pending_of_alice["id"], 999_999):
        reply = api.post(f"/api/posts/{post}/comments", {"content": "x", "parent_id": parent_id}, token=bob.token)
        assert reply.status == 422, parent_id
        assert reply.json["detail"][0]["loc"] == ["body", "parent_id"]


def test_replies_nest_at_most_eight_levels(api, users, post):
    from layers.services.comments import MAX_DEPTH

    alice = users.create()
    parent = None
    for _ in range(MAX_DEPTH):
        parent = comment(api, alice, post, "deeper", parent_id=parent)["id"]
    reply = api.post(f"/api/posts/{post}/comments", {"content": "too deep", "parent_id": parent}, token=alice.token)
    assert reply.status == 422 and "8 levels" in reply.json["detail"][0]["msg"]


def test_admin_comments_are_approved_at_once(api, users, post):
    admin = users.admin()
    created = comment(api, admin, post, "From the editor")
    assert created["is_approved"] is True
    assert [c["id"] for c in api.get(f"/api/posts/{post}/comments").json["items"]] == [created["id"]]


def test_unknown_or_unpublished_post_is_404(api, users, stack):
    alice = users.create()
    draft = make_post(stack, "draft-post", status="draft")
    for post_id in (draft, 424242):
        assert api.get(f"/api/posts/{post_id}/comments").status == 404
        assert api.post(f"/api/posts/{post_id}/comments", {"content": "hi"}, token=alice.token).status == 404


def test_posting_requires_sign_in(api, post):
    assert api.post(f"/api/posts/{post}/comments", {"content": "hi"}).status == 401
    assert api.post(f"/api/posts/{post}/comments", {"content": "hi"}, token="not-a-jwt").status == 401


def test_delete_own_comment_only(api, users, stack, post):
    alice, bob, admin = users.create(), users.create(), users.admin()
    root = comment(api, alice, post, "root")
    bobs = comment(api, bob, post, "bob's")
    reply = comment(api, alice, post, "reply", parent_id=root["id"])
    assert api.delete(f"/api/comments/{root['id']}").status == 401
    assert api.delete(f"/api/comments/{root['id']}", token=bob.token).status == 404
    assert api.delete(f"/api/comments/{root['id']}", token=alice.token).status == 204
    assert api.delete(f"/api/comments/{root['id']}", token=alice.token).status == 404
    # It had a reply, so it stays as a placeholder; deleting the reply prunes the placeholder.
    assert api.delete(f"/api/comments/{reply['id']}", token=alice.token).status == 204
    assert api.delete(f"/api/comments/{bobs['id']}", token=admin.token).status == 204
    assert sql(stack, "SELECT count(*) AS n FROM comments")[0]["n"] == 0


def test_deleting_a_comment_keeps_other_peoples_replies(api, users, stack, post):
    alice, bob = users.create(), users.create()
    root = comment(api, alice, post, "alice's question")
    sql(stack, "UPDATE comments SET is_approved = true RETURNING id")
    answer = comment(api, bob, post, "bob's answer", parent_id=root["id"])
    sql(stack, "UPDATE comments SET is_approved = true RETURNING id")
    assert api.delete(f"/api/comments/{root['id']}", token=alice.token).status == 204
    [tombstone] = api.get(f"/api/posts/{post}/comments").json["items"]
    assert tombstone["is_deleted"] is True and tombstone["content"] == "[deleted]"
    assert "alice's question" not in api.get(f"/api/posts/{post}/comments").text
    assert [r["id"] for r in tombstone["replies"]] == [answer["id"]]
    assert tombstone["replies"][0]["content"] == "bob's answer"


@pytest.mark.parametrize("body", [
    {}, {"content": ""}, {"content": "   "}, {"content": "x" * 5001}, {"content": "nul\x00byte"},
    {"content": "\ud800"}, {"content": 123}, {"content": ["a"]}, {"content": None},
    {"content": "ok", "extra": 1}, {"content": "ok", "parent_id": "1"}, {"content": "ok", "parent_id": True},
    {"content": "ok", "parent_id": 0}, {"content": "ok", "parent_id": -5}, {"content": "ok", "parent_id": 2**70},
    {"content": "ok", "parent_id": 1.5}, [], "text",
])
def test_bad_comment_bodies_are_422(api, users, post, body):
    alice = users.create()
    assert api.post(f"/api/posts/{post}/comments", body, token=alice.token).status == 422


def test_bad_paths_and_pages_are_422(api, users, post):
    alice = users.create()
    for path in ("/api/posts/abc/comments", "/api/posts/0/comments", f"/api/posts/{2**64}/comments",
                 f"/api/posts/{post}/comments?page=0", f"/api/posts/{post}/comments?page_size=101",
                 f"/api/posts/{post}/comments?page=abc", f"/api/posts/{post}/comments?page=99999999999"):
        assert api.get(path).status == 422, path
    assert api.delete("/api/comments/abc", token=alice.token).status == 422
    assert api.post(f"/api/posts/{post}/comments", body=b"{not json", token=alice.token).status == 422


def test_oversized_body_is_413(api, users, post):
    alice = users.create()
    reply = api.post(f"/api/posts/{post}/comments", {"content": "x" * 2_000_000}, token=alice.token)
    assert reply.status == 413


def test_sql_metacharacters_and_unicode_are_stored_verbatim(api, users, post):
    admin = users.admin()
    text = "'); DROP TABLE comments; -- \u00e9\u0301 \U0001F600 %s %(x)s"
    created = comment(api, admin, post, text)
    [shown] = api.get(f"/api/posts/{post}/comments").json["items"]
    assert shown["id"] == created["id"] and shown["content"] == created["content"]
    assert "DROP TABLE" in shown["content"] and "\U0001F600" in shown["content"]


# ---- moderation ------------------------------------------------------------------------------

def test_moderation_needs_an_admin(api, users, post):
    alice = users.create()
    created = comment(api, alice, post)
    for method, path in (("GET", "/api/admin/comments"), ("POST", f"/api/admin/comments/{created['id']}/approve"),
                         ("DELETE", f"/api/admin/comments/{created['id']}")):
        assert api.request(method, path).status == 401
        assert api.request(method, path, token=alice.token).status == 403


def test_queue_filters_by_status(api, users, post):
    alice, admin = users.create(name="Alice"), users.admin()
    pending = comment(api, alice, post, "pending one")
    approved = comment(api, alice, post, "approved one")
    approve(api, admin, approved["id"])
    queue = api.get("/api/admin/comments", token=admin.token).json
    assert [c["id"] for c in queue["items"]] == [pending["id"]] and queue["total"] == 1
    item = queue["items"][0]
    assert item["post"] == {"id": post, "slug": "indexes", "title": "Indexes"}
    assert item["author"] == {"id": alice.id, "name": "Alice"} and item["is_approved"] is False
    assert [c["id"] for c in api.get("/api/admin/comments?status=approved", token=admin.token).json["items"]] \
        == [approved["id"]]
    assert [c["id"] for c in api.get("/api/admin/comments?status=all", token=admin.token).json["items"]] \
        == [approved["id"], pending["id"]]
    for bad in ("status=spam", "page=0", "page_size=500"):
        assert api.get(f"/api/admin/comments?{bad}", token=admin.token).status == 422


def test_approval_notifies_the_author_once(api, users, post):
    alice, admin = users.create(), users.admin()
    created = comment(api, alice, post)
    approved = approve(api, admin, created["id"])
    assert approved["is_approved"] is True and approved["id"] == created["id"]
    approve(api, admin, created["id"])
    notes = notifications_of(api, alice)
    assert [n["type"] for n in notes] == ["comment_approved"]
    assert notes[0]["link"] == f"/posts/indexes#comment-{created['id']}"
    assert api.post("/api/admin/comments/987654/approve", token=admin.token).status == 404


def test_removal_deletes_and_notifies_the_author(api, users, post):
    alice, bob, admin = users.create(), users.create(), users.admin()
    created = comment(api, alice, post)
    approve(api, admin, created["id"])
    reply = comment(api, bob, post, "reply", parent_id=created["id"])
    assert api.delete(f"/api/admin/comments/{created['id']}", token=admin.token).status == 204
    assert api.get(f"/api/posts/{post}/comments", token=alice.token).json["items"] == []
    assert api.delete(f"/api/comments/{reply['id']}", token=bob.token).status == 404
    assert [n["type"] for n in notifications_of(api, alice)] == ["comment_removed", "comment_reply", "comment_approved"]
    assert api.delete(f"/api/admin/comments/{created['id']}", token=admin.token).status == 404
    own = comment(api, admin, post, "mine")
    assert api.delete(f"/api/admin/comments/{own['id']}", token=admin.token).status == 204
    assert notifications_of(api, admin) == []
