"""Admin user management: search, role and activation changes, deletion."""
import pytest

from tests.support.accounts import PASSWORD
from tests.support.reader import sql


def test_needs_an_admin(api, users):
    alice = users.create()
    for method, path in (("GET", "/api/admin/users"), ("PATCH", f"/api/admin/users/{alice.id}"),
                         ("DELETE", f"/api/admin/users/{alice.id}")):
        body = {"role": "admin"} if method == "PATCH" else None
        assert api.request(method, path, json_body=body).status == 401
        assert api.request(method, path, json_body=body, token=alice.token).status == 403
    assert sql_role(api, alice) == "user"


def sql_role(api, account):
    return api.get("/api/auth/me", token=account.token).json["role"]


def test_list_and_search(api, users, stack):
    admin = users.admin()
    ada = users.create("ada.lovelace@example.com", name="Ada Lovelace")
    grace = users.create("grace@navy.example.com", name="Grace Hopper")
    users.create("percent_100%@example.com", name="Odd Name")
    get = lambda query="": api.get(f"/api/admin/users?{query}", token=admin.token).json  # noqa: E731

    everyone = get()
    assert everyone["total"] == 4 and everyone["items"][0]["email"] == "percent_100%@example.com"
    item = next(u for u in everyone["items"] if u["id"] == ada.id)
    assert item == item | {"email": "ada.lovelace@example.com", "name": "Ada Lovelace", "role": "user",
                           "is_active": True, "email_verified": False, "is_premium": False, "xp": 0, "level": 1}
    assert "password_hash" not in item
    assert [u["id"] for u in get("q=LOVELACE")["items"]] == [ada.id]
    assert [u["id"] for u in get("q=navy.example")["items"]] == [grace.id]
    assert [u["id"] for u in get("q=hopp")["items"]] == [grace.id]
    assert get("q=%25")["total"] == 1 and get("q=_1")["total"] == 1 and get("q=a_a")["total"] == 0
    assert [u["id"] for u in get("role=admin")["items"]] == [admin.id]
    assert get("q=%27%20OR%201%3D1%20--")["total"] == 0
    assert get("page=2&page_size=3")["total"] == 4 and len(get("page=2&page_size=3")["items"]) == 1


def test_promote_and_demote(api, users, stack):
    admin, alice = users.admin(), users.create()
    sql(stack, "UPDATE users SET email_verified = true WHERE id = %s RETURNING id", (alice.id,))  # admin powers need it
    promoted = api.patch(f"/api/admin/users/{alice.id}", {"role": "admin"}, token=admin.token)
    assert promoted.status == 200 and promoted.json["role"] == "admin"
    assert api.get("/api/admin/users", token=alice.token).status == 200  # the role is read per request
    assert api.patch(f"/api/admin/users/{alice.id}", {"role": "user"}, token=admin.token).json["role"] == "user"
    assert api.get("/api/admin/users", token=alice.token).status == 403


def test_deactivation_signs_the_user_out_at_once(api, users, stack):
    admin, alice = users.admin(), users.create()
    assert api.get("/api/auth/me", token=alice.token).status == 200
    reply = api.patch(f"/api/admin/users/{alice.id}", {"is_active": False}, token=admin.token)
    assert reply.status == 200 and reply.json["is_active"] is False
    assert api.get("/api/auth/me", token=alice.token).status == 401  # the same, unexpired access token
    assert api.post("/api/auth/refresh", {"refresh_token": alice.refresh_token}).status == 401
    assert api.post("/api/auth/login", {"email": alice.email, "password": PASSWORD}).status == 401
    assert sql(stack, "SELECT count(*) AS n FROM refresh_tokens WHERE user_id = %s AND revoked_at IS NULL",
               (alice.id,))[0]["n"] == 0
    assert api.get("/api/admin/users?is_active=false", token=admin.token).json["items"][0]["id"] == alice.id

    assert api.patch(f"/api/admin/users/{alice.id}", {"is_active": True}, token=admin.token).json["is_active"] is True
    assert api.post("/api/auth/login", {"email": alice.email, "password": PASSWORD}).status == 200


def test_an_admin_cannot_demote_deactivate_or_delete_themselves(api, users):
    admin = users.admin()
    for body in ({"role": "user"}, {"is_active": False}, {"role": "admin", "is_active": False}):
        reply = api.patch(f"/api/admin/users/{admin.id}", body, token=admin.token)
        assert reply.status == 400 and "your own account" in reply.json["detail"]
    assert api.patch(f"/api/admin/users/{admin.id}", {"role": "admin"}, token=admin.token).status == 200
    assert api.delete(f"/api/admin/users/{admin.id}", token=admin.token).status == 400
    assert api.get("/api/auth/me", token=admin.token).json["role"] == "admin"


def test_delete_user(api, users, stack):
    admin, alice = users.admin(), users.create()
    sql(stack, "INSERT INTO notifications (user_id, type, title) VALUES (%s, 't', 'x')", (alice.id,))
    assert api.delete(f"/api/admin/users/{alice.id}", token=admin.token).status == 204
    assert api.get("/api/auth/me", token=alice.token).status == 401
    assert api.delete(f"/api/admin/users/{alice.id}", token=admin.token).status == 404
    assert api.patch(f"/api/admin/users/{alice.id}", {"role": "admin"}, token=admin.token).status == 404
    assert sql(stack, "SELECT count(*) AS n FROM notifications")[0]["n"] == 0


@pytest.mark.parametrize("body", [
    {"role": "root"}, {"role": 1}, {"is_active": "no"}, {"is_active": 0}, {"email": "x@example.com"}, [], "admin",
])
def test_bad_patches_are_422(api, users, body):
    admin, alice = users.admin(), users.create()
    assert api.patch(f"/api/admin/users/{alice.id}", body, token=admin.token).status == 422


def test_bad_paths_and_queries_are_422(api, users):
    admin = users.admin()
    for method, path in (("GET", "/api/admin/users?role=owner"), ("GET", "/api/admin/users?is_active=perhaps"),
                         ("GET", "/api/admin/users?q=" + "x" * 101), ("GET", "/api/admin/users?q=%00"),
                         ("GET", "/api/admin/users?page_size=0"), ("DELETE", "/api/admin/users/abc"),
                         ("DELETE", f"/api/admin/users/{2**64}")):
        assert api.request(method, path, token=admin.token).status == 422, path
    assert api.patch("/api/admin/users/abc", {"role": "user"}, token=admin.token).status == 422
