"""Racing real HTTP requests at the local server (the ``live_server`` fixture).

``race`` gives every request its own thread and connection; each thread connects first, then all
wait at one barrier and send together, so the requests really overlap inside the app (its pool,
its transactions, PostgreSQL's locks). Answers come back in the order of the calls. Nothing here
sleeps or measures time: a test asserts what the answers and the stored state are.
"""
from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from threading import Barrier
from typing import Any
from urllib.parse import urlsplit

from tests.support.reader import sql

N = 8  # parallel requests per race


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    token: str | None = None
    json: Any = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    text: str

    def __repr__(self) -> str:
        return f"<{self.status} {self.text[:160]}>"


def post(path: str, token: str | None = None, json: Any = None, **kw: Any) -> Call:
    return Call("POST", path, token, {} if json is None else json, **kw)


def put(path: str, token: str | None = None, json: Any = None) -> Call:
    return Call("PUT", path, token, json)


def patch(path: str, token: str | None = None, json: Any = None) -> Call:
    return Call("PATCH", path, token, json)


def delete(path: str, token: str | None = None) -> Call:
    return Call("DELETE", path, token)


def race(base: str, calls: Sequence[Call]) -> list[Answer]:
    """Send ``calls`` at once (connect, meet at a barrier, send); their answers in call order."""
    parts = urlsplit(base)
    barrier = Barrier(len(calls), timeout=60)

    def send(call: Call) -> Answer:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            conn.connect()
            if call.body is not None:
                payload = call.body
            else:
                payload = b"" if call.json is None else json.dumps(call.json).encode()
            headers = {"Content-Type": "application/json", **call.headers}
            if call.token:
                headers["Authorization"] = f"Bearer {call.token}"
            barrier.wait()
            conn.request(call.method, call.path, body=payload, headers=headers)
            reply = conn.getresponse()
            raw = reply.read()
        finally:
            conn.close()
        text = raw.decode("utf-8", "replace")
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        return Answer(reply.status, body, text)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(send, calls))


def assert_no_5xx(answers: Sequence[Answer]) -> None:
    failed = [a for a in answers if a.status >= 500]
    assert not failed, f"{len(failed)} of {len(answers)} requests answered 5xx: {failed}"


def statuses(answers: Sequence[Answer]) -> list[int]:
    return sorted(a.status for a in answers)


# ---- accounts and state ----------------------------------------------------------------------

def accounts(prefix: str, n: int, role: str = "user") -> list[Any]:
    """``n`` verified accounts with access tokens (no password hashing; sign-in runs for real)."""
    from tests.support.content import account

    return [account(f"{prefix}{i}-{uuid.uuid4().hex[:6]}@example.com", f"{prefix.title()} {i}", role)
            for i in range(n)]


def refresh_token_for(stack: Any, user_id: int) -> str:
    """A fresh refresh token (a new session family) for ``user_id``, as a login would issue."""
    import psycopg

    from layers.core.settings import get_settings
    from layers.services.auth import tokens

    with psycopg.connect(stack["DATABASE_URL"], autocommit=True) as conn:
        return tokens.issue_refresh_token(conn, get_settings(), user_id)  # type: ignore[arg-type]


def ledger(stack: Any, user_id: int) -> list[tuple[str, str, int]]:
    """The user's XP events as sorted (reason, ref, amount)."""
    rows = sql(stack, "SELECT reason, ref, amount FROM xp_events WHERE user_id = %s", (user_id,))
    return sorted((r["reason"], r["ref"], r["amount"]) for r in rows)


def assert_totals_add_up(stack: Any, user_id: int) -> int:
    """``users.xp`` is the sum of the ledger and ``level`` follows it; returns the total."""
    from layers.services.gamification.levels import level_for

    row = sql(stack, "SELECT xp, level FROM users WHERE id = %s", (user_id,))[0]
    assert row["xp"] == sum(amount for _, _, amount in ledger(stack, user_id)), ledger(stack, user_id)
    assert row["level"] == level_for(row["xp"])
    return int(row["xp"])


def badge_slugs(stack: Any, user_id: int) -> list[str]:
    rows = sql(stack, "SELECT b.slug FROM user_badges ub JOIN badges b ON b.id = ub.badge_id"
                      " WHERE ub.user_id = %s ORDER BY b.slug", (user_id,))
    return [r["slug"] for r in rows]


def notification_titles(stack: Any, user_id: int, kind: str) -> list[str]:
    rows = sql(stack, "SELECT title FROM notifications WHERE user_id = %s AND type = %s ORDER BY title",
               (user_id, kind))
    return [r["title"] for r in rows]


def quiz_bank(stack: Any, post_id: int, n: int = 3) -> None:
    """``n`` questions whose right option starts with "right"."""
    for i in range(n):
        sql(stack, "INSERT INTO quiz_questions (post_id, question, options, answer_index, explanation)"
                   " VALUES (%s, %s, %s::jsonb, 1, 'why')",
            (post_id, f"Question {i}?", json.dumps([f"wrong a{i}", f"right {i}", f"wrong b{i}", f"wrong c{i}"])))


def right_answers(quiz: dict[str, Any]) -> list[int]:
    return [next(i for i, o in enumerate(q["options"]) if o.startswith("right")) for q in quiz["questions"]]
