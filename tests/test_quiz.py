"""Quizzes: drawn from a post's bank, no answers before submission, scored once, XP once, boards."""
from __future__ import annotations

import json

import pytest

from tests.support.reader import make_post, sql

EXPLANATION = "Because the secret explanation says so"


def bank(stack, post_id, n=6):
    for i in range(n):
        sql(stack, "INSERT INTO quiz_questions (post_id, question, options, answer_index, explanation)"
                   " VALUES (%s, %s, %s::jsonb, %s, %s)",
            (post_id, f"Question {i}?", json.dumps([f"wrong a{i}", f"right {i}", f"wrong b{i}", f"wrong c{i}"]), 1,
             f"{EXPLANATION} {i}"))


def generate(api, account, post_id):
    reply = api.post("/api/quiz/generate", {"post_id": post_id}, token=account.token)
    assert reply.status == 201, reply.text
    return reply.json


def right_answers(quiz):
    return [next(i for i, o in enumerate(q["options"]) if o.startswith("right")) for q in quiz["questions"]]


def test_quiz_never_ships_answers_before_submission(api, users, stack):
    alice = users.create()
    post = make_post(stack, "indexes")
    bank(stack, post)
    reply = api.post("/api/quiz/generate", {"post_id": post}, token=alice.token)
    assert reply.status == 201
    quiz = reply.json
    assert quiz["total_questions"] == 5 and len(quiz["questions"]) == 5  # QUIZ_SIZE
    assert "explanation" not in reply.text.lower() and "answer" not in reply.text.lower()
    for q in quiz["questions"]:
        assert set(q) == {"index", "id", "question", "options"}
        i = int(q["question"].split()[1].rstrip("?"))
        assert sorted(q["options"]) == sorted([f"wrong a{i}", f"right {i}", f"wrong b{i}", f"wrong c{i}"])
    stored = sql(stack, "SELECT served, question_ids FROM quiz_attempts WHERE id = %s", (quiz["id"],))[0]
    assert [q["options"] for q in stored["served"]] == [q["options"] for q in quiz["questions"]]


def test_submit_scores_once_and_awards_xp_once_per_post(api, users, stack):
    alice = users.create()
    post = make_post(stack, "scored")
    bank(stack, post, n=3)
    quiz = generate(api, alice, post)
    answers = right_answers(quiz)
    answers[0] = (answers[0] + 1) % 4
    reply = api.post(f"/api/quiz/{quiz['id']}/submit", {"answers": answers}, token=alice.token)
    assert reply.status == 200, reply.text
    result = reply.json
    assert result["score"] == 2 and result["percent"] == 67 and result["passed"] and result["xp_awarded"] == 25
    assert [r["correct"] for r in result["results"]] == [False, True, True]
    assert all(r["explanation"].startswith(EXPLANATION) for r in result["results"])
    assert result["results"][0]["correct_index"] == right_answers(quiz)[0]
    again = api.post(f"/api/quiz/{quiz['id']}/submit", {"answers": answers}, token=alice.token)
    assert again.status == 409
    second = generate(api, alice, post)
    assert api.post(f"/api/quiz/{second['id']}/submit", {"answers": right_answers(second)},
                    token=alice.token).json["xp_awarded"] == 0
    assert sql(stack, "SELECT xp FROM users WHERE id = %s", (alice.id,))[0]["xp"] == 25


def test_failing_earns_nothing_and_skips_count_as_wrong(api, users, stack):
    alice = users.create()
    post = make_post(stack, "failed")
    bank(stack, post, n=3)
    quiz = generate(api, alice, post)
    result = api.post(f"/api/quiz/{quiz['id']}/submit", {"answers": [None, None, right_answers(quiz)[2]]},
                      token=alice.token).json
    assert result["score"] == 1 and not result["passed"] and result["xp_awarded"] == 0
    assert result["results"][0]["selected"] is None and not result["results"][0]["correct"]


def test_another_users_attempt_is_404(api, users, stack):
    alice, bob = users.create(), users.create()
    post = make_post(stack, "private")
    bank(stack, post, n=2)
    quiz = generate(api, alice, post)
    assert api.post(f"/api/quiz/{quiz['id']}/submit", {"answers": [0, 0]}, token=bob.token).status == 404
    assert api.post("/api/quiz/999999/submit", {"answers": [0, 0]}, token=alice.token).status == 404
    assert api.get("/api/quiz/history", token=bob.token).json["total"] == 0


def test_post_without_a_bank_and_locked_posts(api, users, stack):
    alice = users.create()
    empty = make_post(stack, "no-bank")
    reply = api.post("/api/quiz/generate", {"post_id": empty}, token=alice.token)
    assert reply.status == 404 and "question bank" in reply.json["detail"]
    assert api.post("/api/quiz/generate", {"post_id": 999999}, token=alice.token).status == 404
    draft = make_post(stack, "draft", status="draft")
    bank(stack, draft, n=1)
    assert api.post("/api/quiz/generate", {"post_id": draft}, token=alice.token).status == 404
    paid = make_post(stack, "paid", is_premium=True)
    bank(stack, paid, n=1)
    assert api.post("/api/quiz/generate", {"post_id": paid}, token=alice.token).status == 403


@pytest.mark.parametrize("answers, status", [
    ([0], 400), ([0, 0, 0], 400), ([0, 4], 400), ([0, "1"], 422), ([0, -1], 422), ([0, 1.5], 422),
    ("0,1", 422), (None, 422),
])
def test_bad_submissions(api, users, stack, answers, status):
    alice = users.create()
    post = make_post(stack, "bad")
    bank(stack, post, n=2)
    quiz = generate(api, alice, post)
    body = {} if answers is None else {"answers": answers}
    reply = api.post(f"/api/quiz/{quiz['id']}/submit", body, token=alice.token)
    assert reply.status == status, reply.text
    assert reply.json["detail"]
    # A refused submission leaves the attempt open.
    assert api.post(f"/api/quiz/{quiz['id']}/submit", {"answers": [0, 0]}, token=alice.token).status == 200


@pytest.mark.parametrize("path, body", [
    ("/api/quiz/generate", {"post_id": "1"}), ("/api/quiz/generate", {"post_id": 0}),
    ("/api/quiz/generate", {}), ("/api/quiz/abc/submit", {"answers": []}),
    ("/api/quiz/0/submit", {"answers": []}),
])
def test_bad_ids_are_422(api, users, path, body):
    assert api.post(path, body, token=users.create().token).status == 422


def test_history_and_public_leaderboard(api, users, stack):
    alice, bob = users.create(name="Alice"), users.create(name="Bob")
    post = make_post(stack, "board")
    bank(stack, post, n=2)
    a = generate(api, alice, post)
    api.post(f"/api/quiz/{a['id']}/submit", {"answers": right_answers(a)}, token=alice.token)
    b = generate(api, bob, post)
    api.post(f"/api/quiz/{b['id']}/submit", {"answers": [right_answers(b)[0], None]}, token=bob.token)
    generate(api, bob, post)  # unsubmitted: no score yet
    history = api.get("/api/quiz/history", token=bob.token).json
    assert history["total"] == 2 and history["items"][0]["score"] is None
    assert history["items"][1]["percent"] == 50 and history["items"][1]["post_title"] == "Board"
    board = api.get("/api/quiz/leaderboard").json
    assert board == [{"rank": 1, "name": "Alice", "score": 100, "quizzes": 1},
                     {"rank": 2, "name": "Bob", "score": 50, "quizzes": 1}]
    assert api.get(f"/api/quiz/leaderboard?post_id={post}&limit=1").json[0]["name"] == "Alice"
    assert api.get("/api/quiz/leaderboard?post_id=999").json == []
    assert api.get("/api/quiz/leaderboard?limit=0").status == 422
    assert api.get("/api/quiz/history").status == 401
