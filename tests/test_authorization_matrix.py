"""The authorization matrix, generated from the route registry.

Every route that takes the id of a user-owned object is called as its owner, as another user,
anonymously and with forged tokens (wrong secret, ``alg: none``, expired, a tampered ``sub``).
Another user gets 404 and never the object's contents; anonymous and forged callers get 401. A
new route taking an id must be classified here (owned, or naming a public object), or this fails.
"""
from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest

from tests.support.content import content
from tests.support.reader import make_post, sql

# Path variables that name an object anyone may see (a post, a series, a day's challenge ...).
PUBLIC_OBJECTS = {"post_id", "post_ref", "series_id", "series_ref", "tag_id", "challenge_id", "code", "job", "user_id",
                  "asset"}
SECRET_WORDS = "private words of the owner"


def _owned_routes() -> list[Any]:
    from layers.http.openapi import document
    from layers.http.routing import ROUTES

    document()  # imports every router, so ROUTES is complete
    return [r for r in ROUTES if r.auth == "user" and set(r.path_params) - PUBLIC_OBJECTS]


OWNED = _owned_routes()


@pytest.fixture
def objects(api: Any, users: Any, content: Any, stack: Any) -> dict[str, Any]:
    """One object of every owned kind, all belonging to ``owner``."""
    owner = users.create()
    post = content.post("Shared post")
    note = api.post("/api/notes", {"content": SECRET_WORDS}, token=owner.token).json
    comment = api.post(f"/api/posts/{post['id']}/comments", {"content": SECRET_WORDS}, token=owner.token).json
    notification = sql(stack, "INSERT INTO notifications (user_id, type, title, message) VALUES (%s, 'test', %s, %s)"
                              " RETURNING id", (owner.id, SECRET_WORDS, SECRET_WORDS))[0]["id"]
    quiz_post = make_post(stack, "quiz-post", content="Body for the quiz.")
    for i in range(3):
        sql(stack, "INSERT INTO quiz_questions (post_id, question, options, answer_index, explanation)"
                   " VALUES (%s, %s, %s::jsonb, 0, %s)", (quiz_post, f"Q{i}?", json.dumps(["a", "b"]), SECRET_WORDS))
    quiz = api.post("/api/quiz/generate", {"post_id": quiz_post}, token=owner.token).json
    sql(stack, "INSERT INTO interview_questions (topic, difficulty, question, reference_answer, key_points)"
               " VALUES ('postgresql', 'beginner', 'What is MVCC?', %s, '[\"versions\"]'::jsonb)", (SECRET_WORDS,))
    session = api.post("/api/interview/start", {"topic": "postgresql", "count": 1}, token=owner.token).json
    return {"owner": owner, "note_id": note["id"], "comment_id": comment["id"], "notification_id": notification,
            "attempt_id": quiz["id"], "session_id": session["id"],
            "bodies": {"/api/notes/{note_id}": {"content": "overwritten"},
                       "/api/quiz/{attempt_id}/submit": {"answers": [0, 0, 0]},
                       "/api/interview/{session_id}/answer": {"answer": "Versions of rows."}}}


def _path(route: Any, objects: dict[str, Any]) -> str:
    path = route.path
    for name in route.path_params:
        path = path.replace("{" + name + "}", str(objects[name]))
    return path


def test_every_route_with_an_object_id_is_classified() -> None:
    from layers.http.routing import ROUTES

    known = PUBLIC_OBJECTS | {"note_id", "comment_id", "notification_id", "attempt_id", "session_id"}
    unknown = {(r.method, r.path) for r in ROUTES for p in r.path_params if p not in known}
    assert not unknown, f"classify these path variables in this test: {sorted(unknown)}"


@pytest.mark.parametrize("route", OWNED, ids=lambda r: f"{r.method} {r.path}")
def test_another_user_gets_404_and_nothing_of_the_object(route: Any, api: Any, users: Any,
                                                         objects: dict[str, Any]) -> None:
    intruder = users.create()
    body = objects["bodies"].get(route.path)
    reply = api.request(route.method, _path(route, objects), json_body=body, token=intruder.token)
    assert reply.status == 404, (reply.status, reply.text)
    assert SECRET_WORDS not in reply.text
    owner_reply = api.request(route.method, _path(route, objects), json_body=body, token=objects["owner"].token)
    assert owner_reply.status not in (401, 403, 404), owner_reply.text


def _forged(secret: str) -> dict[str, Callable[[int], str]]:
    from layers.core.settings import get_settings

    settings = get_settings()

    def claims(sub: int, **extra: Any) -> dict[str, Any]:
        now = int(time.time())
        return {"sub": str(sub), "iat": now, "nbf": now, "exp": now + 600, "iss": settings.jwt_issuer,
                "aud": settings.jwt_audience, "jti": f"j{now}{sub}", **extra}

    def alg_none(sub: int) -> str:
        head = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
        body = base64.urlsafe_b64encode(json.dumps(claims(sub)).encode()).rstrip(b"=").decode()
        return f"{head}.{body}."

    real = settings.jwt_secret.get_secret_value()
    return {
        "wrong secret": lambda sub: jwt.encode(claims(sub), secret, algorithm="HS256"),
        "alg none": alg_none,
        "expired": lambda sub: jwt.encode(claims(sub, exp=int(time.time()) - 60), real, algorithm="HS256"),
        "unknown user": lambda sub: jwt.encode(claims(sub + 10_000), real, algorithm="HS256"),
    }


def _tampered_sub(token: str, sub: int) -> str:
    head, body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["sub"] = str(sub)
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{signature}"


@pytest.mark.parametrize("route", OWNED, ids=lambda r: f"{r.method} {r.path}")
def test_anonymous_and_forged_callers_get_401(route: Any, api: Any, users: Any, objects: dict[str, Any]) -> None:
    owner = objects["owner"]
    intruder = users.create()
    path, body = _path(route, objects), objects["bodies"].get(route.path)
    tokens = {name: make(owner.id) for name, make in _forged("not-the-secret-" + "x" * 32).items()}
    tokens["another user's sub"] = _tampered_sub(intruder.token, owner.id)
    assert api.request(route.method, path, json_body=body).status == 401
    for name, token in tokens.items():
        reply = api.request(route.method, path, json_body=body, token=token)
        assert reply.status == 401, (name, reply.status, reply.text)
        assert SECRET_WORDS not in reply.text
