"""Creating tags, series and posts through the admin API."""
from __future__ import annotations

from typing import Any

BODY = """Intro paragraph about the topic with a few plain words.

## First section

The first section explains the basics in some detail.

## Second section

The second section goes deeper into the secret sauce.
"""


class Content:
    def __init__(self, api: Any, users: Any) -> None:
        self.api = api
        self.users = users
        self._admin: Any = None
        self._n = 0

    @property
    def admin(self) -> Any:
        if self._admin is None:
            self._admin = self.users.admin()
        return self._admin

    @property
    def token(self) -> str:
        return self.admin.token

    def tag(self, name: str, slug: str | None = None) -> dict:
        body = {"name": name, **({"slug": slug} if slug else {})}
        reply = self.api.post("/api/tags", body, token=self.token)
        assert reply.status == 201, reply.text
        return reply.json

    def series(self, title: str, slug: str | None = None, description: str = "") -> dict:
        body = {"title": title, "description": description, **({"slug": slug} if slug else {})}
        reply = self.api.post("/api/series", body, token=self.token)
        assert reply.status == 201, reply.text
        return reply.json

    def post(self, title: str | None = None, *, status: str = "published", **fields: Any) -> dict:
        self._n += 1
        body = {"title": title or f"Post number {self._n}", "content": BODY,
                "excerpt": f"Excerpt of post {self._n}.", "status": status, **fields}
        reply = self.api.post("/api/posts", body, token=self.token)
        assert reply.status == 201, reply.text
        return reply.json

    def patch(self, post_id: int, **fields: Any) -> dict:
        reply = self.api.patch(f"/api/posts/{post_id}", fields, token=self.token)
        assert reply.status == 200, reply.text
        return reply.json

    def publish_toggle(self, post_id: int) -> dict:
        reply = self.api.post(f"/api/posts/{post_id}/publish", token=self.token)
        assert reply.status == 200, reply.text
        return reply.json


def premium_user(users: Any, email: str = "premium@example.com") -> Any:
    """A signed-in user with an active subscription (written directly: billing is not under test)."""
    import psycopg
    import os

    account = users.create(email=email, name="Premium Reader")
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        conn.execute(
            "INSERT INTO subscriptions (user_id, status, plan, current_period_end, state_as_of)"
            " VALUES (%s, 'active', 'monthly', now() + interval '30 days', now())",
            (account.id,),
        )
    return account
