"""GET/PATCH /api/settings."""


def test_settings_defaults(api, users):
    account = users.create(name="Sam")
    reply = api.get("/api/settings", token=account.token)
    assert reply.status == 200
    assert reply.json == {"name": "Sam", "email": account.email, "theme": "system", "email_notifications": True,
                          "digest_opt_in": False, "bio": ""}


def test_patch_changes_only_what_was_sent(api, users):
    account = users.create(name="Sam")
    reply = api.patch("/api/settings", {"theme": "dark", "digest_opt_in": True}, token=account.token)
    assert reply.status == 200
    assert reply.json["theme"] == "dark" and reply.json["digest_opt_in"] is True and reply.json["name"] == "Sam"
    reply = api.patch("/api/settings", {"name": "  Samantha  ", "digest_opt_in": False}, token=account.token)
    assert reply.json["name"] == "Samantha" and reply.json["digest_opt_in"] is False and reply.json["theme"] == "dark"
    assert api.get("/api/auth/me", token=account.token).json["name"] == "Samantha"


def test_settings_are_private(api, users):
    alice, bob = users.create(name="Alice"), users.create(name="Bob")
    api.patch("/api/settings", {"bio": "alice bio"}, token=alice.token)
    assert api.get("/api/settings", token=bob.token).json["bio"] == ""
    assert api.get("/api/settings").status == 401
    assert api.patch("/api/settings", {"bio": "x"}).status == 401


def test_invalid_settings_are_422(api, users):
    account = users.create()
    for body in ({"theme": "neon"}, {"bio": "x" * 1001}, {"name": ""}, {"email": "new@example.com"},
                 {"email_notifications": "sometimes"}):
        reply = api.patch("/api/settings", body, token=account.token)
        assert reply.status == 422, body
