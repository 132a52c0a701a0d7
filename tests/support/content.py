"""Creating tags, series and posts through the admin API."""
from __future__ import annotations

from typing import Any

import pytest

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
        self._readers = 0

    @property
    def admin(self) -> Any:
        if self._admin is None:
            self._admin = account("admin@example.com", "Admin", "admin")
        return self._admin

    def reader(self, premium: bool = False) -> Any:
        """A signed-in reader (with an active subscription when ``premium``)."""
        self._readers += 1
        kind = "premium" if premium else "reader"
        reader = account(f"{kind}{self._readers}@example.com", f"Reader {self._readers}", "user")
        if premium:
            _subscribe(reader.id)
        return reader

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


def account(email: str, name: str, role: str) -> Any:
    """An active, verified account and an access token for it, without the cost of password hashing.

    Authentication still runs for real on every request (token decode, account lookup).
    """
    from layers.core.settings import get_settings
    from layers.services.auth import tokens
    from tests.support.accounts import Account

    (user_id,) = db_rows("INSERT INTO users (email, name, role, email_verified) VALUES (%s, %s, %s, true)"
                         " RETURNING id", email, name, role)[0]
    return Account(user_id, email, tokens.issue_access_token(get_settings(), user_id, role), "")


def _subscribe(user_id: int) -> None:
    db_rows("INSERT INTO subscriptions (user_id, status, plan, current_period_end, state_as_of)"
            " VALUES (%s, 'active', 'monthly', now() + interval '30 days', now()) RETURNING id", user_id)


@pytest.fixture
def content(api: Any, users: Any) -> Content:
    """Import into a test module: ``from tests.support.content import content``."""
    return Content(api, users)


def db_rows(sql: str, *params: Any) -> list[tuple]:
    """Read the database directly (assertions on what HTTP cannot show)."""
    import os

    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        return conn.execute(sql, params).fetchall()
