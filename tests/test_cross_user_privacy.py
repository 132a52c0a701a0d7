"""Another user's private object answers 404 and never its contents, on every route that takes an id
of a user-owned object; lists never include another user's rows. (The registry-generated matrix is
``test_authorization_matrix.py``; this follows one realistic scenario end to end.)
"""
from __future__ import annotations

from tests.support.content import content


def test_private_objects_of_another_user_answer_404(api, users, content):
    owner, intruder = users.create(), users.create()
    post = content.post("Shared post")
    note = api.post("/api/notes", {"title": "mine", "content": "private thoughts", "post_id": post["id"]},
                    token=owner.token).json
    comment = api.post(f"/api/posts/{post['id']}/comments", {"content": "pending words"}, token=owner.token).json
    # A notification for the owner: the admin replies to an approved comment of theirs.
    api.post(f"/api/admin/comments/{comment['id']}/approve", token=content.token)
    api.post(f"/api/posts/{post['id']}/comments", {"content": "reply", "parent_id": comment["id"]},
             token=content.token)
    notes = api.get("/api/notifications", token=owner.token).json["items"]
    assert notes, "the owner should have notifications"
    notification_id = notes[0]["id"]

    attempts = [
        ("PATCH", f"/api/notes/{note['id']}", {"content": "overwritten"}),
        ("DELETE", f"/api/notes/{note['id']}", None),
        ("POST", f"/api/notifications/{notification_id}/read", None),
        ("DELETE", f"/api/notifications/{notification_id}", None),
        ("DELETE", f"/api/comments/{comment['id']}", None),
    ]
    for method, path, body in attempts:
        reply = api.request(method, path, json_body=body, token=intruder.token)
        assert reply.status == 404, (method, path, reply.status, reply.text)
        assert "private thoughts" not in reply.text

    # Nothing changed, and the intruder's lists hold none of it.
    assert api.get("/api/notes", token=owner.token).json["items"][0]["content"] == "private thoughts"
    assert api.get("/api/notes", token=intruder.token).json["total"] == 0
    assert api.get(f"/api/notes?post_id={post['id']}", token=intruder.token).json["total"] == 0
    assert api.get("/api/notifications", token=intruder.token).json["total"] == 0
    assert api.get("/api/bookmarks", token=intruder.token).json["total"] == 0


def test_pending_comments_are_visible_to_their_author_only(api, users, content):
    author, other = users.create(), users.create()
    post = content.post("Moderated")
    api.post(f"/api/posts/{post['id']}/comments", {"content": "awaiting moderation"}, token=author.token)
    assert "awaiting moderation" in api.get(f"/api/posts/{post['id']}/comments", token=author.token).text
    for token in (None, other.token):
        assert "awaiting moderation" not in api.get(f"/api/posts/{post['id']}/comments", token=token).text


def test_logout_cannot_revoke_another_users_refresh_token(api, users):
    victim, attacker = users.create(), users.create()
    assert api.post("/api/auth/logout", {"refresh_token": victim.refresh_token}, token=attacker.token).status == 204
    assert api.post("/api/auth/refresh", {"refresh_token": victim.refresh_token}).status == 200


def test_admin_routes_refuse_users_and_anonymous(api, users):
    user = users.create()
    routes = [("GET", "/api/admin/posts"), ("GET", "/api/admin/users"), ("PATCH", f"/api/admin/users/{user.id}"),
              ("DELETE", f"/api/admin/users/{user.id}"), ("GET", "/api/admin/analytics/overview"),
              ("GET", "/api/admin/analytics/posts"), ("GET", "/api/admin/tasks"),
              ("POST", "/api/admin/tasks/digest/run"), ("POST", "/api/admin/tasks/dead-letter/redrive"),
              ("GET", "/api/admin/comments"), ("POST", "/api/admin/comments/1/approve"),
              ("DELETE", "/api/admin/comments/1"), ("GET", "/api/redirects"), ("POST", "/api/redirects"),
              ("POST", "/api/posts"), ("PATCH", "/api/posts/1"), ("DELETE", "/api/posts/1"),
              ("POST", "/api/posts/1/publish"), ("POST", "/api/series"), ("PATCH", "/api/series/1"),
              ("DELETE", "/api/series/1"), ("POST", "/api/tags"), ("PATCH", "/api/tags/1"),
              ("DELETE", "/api/tags/1"), ("POST", "/api/tags/merge")]
    for method, path in routes:
        body = {"role": "admin"} if method == "PATCH" and "users" in path else {}
        anon = api.request(method, path, json_body=body)
        assert anon.status == 401, (method, path, anon.status)
        assert isinstance(anon.json["detail"], str)
        signed_in = api.request(method, path, json_body=body, token=user.token)
        assert signed_in.status == 403, (method, path, signed_in.status)
        assert isinstance(signed_in.json["detail"], str)
    # And the PATCH above did not make the user an admin.
    assert api.get("/api/auth/me", token=user.token).json["role"] == "user"
