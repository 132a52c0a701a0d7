"""Notifications: the owner's list with unread count, marking read, dismissing."""
from layers.core import db
from layers.services import notifications


def notify(user_id, title, **kw):
    with db.connection() as conn:
        notification_id = notifications.notify(conn, user_id, kw.pop("type", "test"), title, **kw)
        conn.commit()
    return notification_id


def test_list_with_unread_count(api, users, stack):
    alice = users.create()
    first = notify(alice.id, "first", message="hello", link="/posts/x")
    second = notify(alice.id, "second")
    page = api.get("/api/notifications", token=alice.token).json
    assert page["total"] == 2 and page["unread_count"] == 2
    assert [n["id"] for n in page["items"]] == [second, first]
    assert page["items"][1] | {"created_at": None} == {
        "id": first, "type": "test", "title": "first", "message": "hello", "link": "/posts/x",
        "is_read": False, "created_at": None}


def test_mark_one_and_all_read(api, users):
    alice = users.create()
    ids = [notify(alice.id, f"n{k}") for k in range(3)]
    marked = api.post(f"/api/notifications/{ids[0]}/read", token=alice.token)
    assert marked.status == 200 and marked.json["is_read"] is True
    assert api.post(f"/api/notifications/{ids[0]}/read", token=alice.token).status == 200
    page = api.get("/api/notifications", token=alice.token).json
    assert page["unread_count"] == 2
    unread = api.get("/api/notifications?unread=true", token=alice.token).json
    assert unread["total"] == 2 and unread["unread_count"] == 2 and ids[0] not in [n["id"] for n in unread["items"]]
    assert api.post("/api/notifications/read-all", token=alice.token).json == {"updated": 2}
    assert api.post("/api/notifications/read-all", token=alice.token).json == {"updated": 0}
    assert api.get("/api/notifications", token=alice.token).json["unread_count"] == 0


def test_dismiss(api, users):
    alice = users.create()
    kept, gone = notify(alice.id, "keep"), notify(alice.id, "dismiss")
    assert api.delete(f"/api/notifications/{gone}", token=alice.token).status == 204
    assert api.delete(f"/api/notifications/{gone}", token=alice.token).status == 404
    assert [n["id"] for n in api.get("/api/notifications", token=alice.token).json["items"]] == [kept]


def test_notifications_are_private(api, users):
    alice, bob, admin = users.create(), users.create(), users.admin()
    theirs = notify(alice.id, "alice's")
    for account in (bob, admin):
        assert api.get("/api/notifications", token=account.token).json == {
            "items": [], "total": 0, "page": 1, "page_size": 20, "unread_count": 0}
        assert api.post(f"/api/notifications/{theirs}/read", token=account.token).status == 404
        assert api.delete(f"/api/notifications/{theirs}", token=account.token).status == 404
        assert api.post("/api/notifications/read-all", token=account.token).json == {"updated": 0}
    page = api.get("/api/notifications", token=alice.token).json
    assert page["unread_count"] == 1 and page["items"][0]["is_read"] is False


def test_anonymous_callers_are_401(api):
    assert api.get("/api/notifications").status == 401
    assert api.post("/api/notifications/1/read").status == 401
    assert api.post("/api/notifications/read-all").status == 401
    assert api.delete("/api/notifications/1").status == 401


def test_pagination(api, users):
    alice = users.create()
    ids = [notify(alice.id, f"n{k}") for k in range(5)]
    page = api.get("/api/notifications?page=2&page_size=2", token=alice.token).json
    assert page["total"] == 5 and page["unread_count"] == 5 and [n["id"] for n in page["items"]] == ids[2:0:-1]


def test_long_texts_are_clipped(users, api):
    alice = users.create()
    notify(alice.id, "t" * 500, message="m" * 5000)
    item = api.get("/api/notifications", token=alice.token).json["items"][0]
    assert len(item["title"]) == 200 and len(item["message"]) == 1000


def test_bad_input_is_422(api, users):
    alice = users.create()
    for method, path in (("GET", "/api/notifications?unread=maybe"), ("GET", "/api/notifications?page=0"),
                         ("GET", "/api/notifications?page_size=101"), ("POST", "/api/notifications/abc/read"),
                         ("POST", "/api/notifications/0/read"), ("DELETE", f"/api/notifications/{2**63}")):
        assert api.request(method, path, token=alice.token).status == 422, path
