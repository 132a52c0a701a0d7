"""Creating accounts through the public API and signing them in."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PASSWORD = "correct horse battery staple"


@dataclass
class Account:
    id: int
    email: str
    token: str
    refresh_token: str


class Accounts:
    def __init__(self, api: Any) -> None:
        self.api = api
        self._n = 0

    def create(self, email: str | None = None, name: str = "Test User", password: str = PASSWORD) -> Account:
        self._n += 1
        email = email or f"user{self._n}@example.com"
        reply = self.api.post("/api/auth/register", {"email": email, "password": password, "name": name})
        assert reply.status == 201, reply.text
        login = self.api.post("/api/auth/login", {"email": email, "password": password})
        assert login.status == 200, login.text
        return Account(reply.json["id"], email, login.json["access_token"], login.json["refresh_token"])

    def admin(self) -> Account:
        """The ADMIN_EMAILS account, its address verified (admin powers need that)."""
        account = self.create("admin@example.com", name="Admin")
        import psycopg

        from layers.core.settings import get_settings

        with psycopg.connect(get_settings().database_url, autocommit=True) as conn:
            conn.execute("UPDATE users SET email_verified = true WHERE id = %s", (account.id,))
        return account
