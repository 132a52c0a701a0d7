"""Daily challenges: today's pick, server-side checking, first correct answer scores, streaks, boards."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from layers import bootstrap
from layers.adapters.clock import FixedClock
from tests.support.reader import sql

DAY = date(2026, 3, 2)


@pytest.fixture
def clock():
    fixed = FixedClock(datetime(2026, 3, 2, 23, 30, tzinfo=timezone.utc))
    with bootstrap.override(clock=fixed):
        yield fixed


def challenge(stack, day, answer="O(log n)", *, title=None, options=None, accepted=(), difficulty="beginner"):
    return sql(stack, "INSERT INTO challenges (day, title, question, answer, difficulty, explanation, options, accepted)"
                      " VALUES (%s, %s, 'What is it?', %s, %s, 'Secret explanation.', %s::jsonb, %s::jsonb)"
                      " RETURNING id",
               (day, title or f"Challenge {day}", answer, difficulty,
                json.dumps(options) if options else None, json.dumps(list(accepted))))[0]["id"]


def submit(api, account, challenge_id, **body):
    return api.post(f"/api/challenges/{challenge_id}/submit", body, token=account.token)


def test_today_is_public_and_hides_the_answer(api, users, stack, clock):
    cid = challenge(stack, DAY)
    challenge(stack, DAY + timedelta(days=1))
    reply = api.get("/api/challenges/today")
    assert reply.status == 200
    assert reply.json["id"] == cid and reply.json["day"] == "2026-03-02" and reply.json["points"] == 10
    assert "log n" not in reply.text and "Secret" not in reply.text and reply.json["attempts"] is None
    alice = users.create()
    mine = api.get("/api/challenges/today", token=alice.token).json
    assert mine["attempts"] == 0 and mine["solved"] is False


def test_unscheduled_days_pick_deterministically_from_the_bank(api, stack, clock):
    ids = [challenge(stack, date(2020, 1, 1) + timedelta(days=i)) for i in range(3)]
    picks = []
    for _ in range(4):
        picks.append(api.get("/api/challenges/today").json["id"])
        assert api.get("/api/challenges/today").json["id"] == picks[-1]
        clock.advance(days=1)
    expected = [ids[(DAY + timedelta(days=i)).toordinal() % 3] for i in range(4)]
    assert picks == expected and len(set(picks)) == 3


def test_empty_bank_is_404(api, clock):
    reply = api.get("/api/challenges/today")
    assert reply.status == 404 and reply.json["detail"]


def test_answers_are_normalised_and_only_the_first_correct_scores(api, users, stack, clock):
    alice = users.create()
    cid = challenge(stack, DAY)
    wrong = submit(api, alice, cid, answer="O(n)")
    assert wrong.status == 200 and wrong.json["correct"] is False and wrong.json["explanation"] is None
    assert wrong.json["points"] == 0 and wrong.json["attempts"] == 1
    right = submit(api, alice, cid, answer="  o(LOG n). ")
    assert right.status == 200, right.text
    assert right.json["correct"] and right.json["points"] == 10 and right.json["xp_awarded"] == 10
    assert right.json["explanation"] == "Secret explanation." and right.json["attempts"] == 2
    assert right.json["streak"] == {"current": 1, "longest": 1}
    assert submit(api, alice, cid, answer="O(log n)").status == 409
    assert sql(stack, "SELECT xp FROM users WHERE id = %s", (alice.id,))[0]["xp"] == 10
    assert api.get("/api/challenges/today", token=alice.token).json["solved"] is True


def test_choice_challenges_and_accepted_alternatives(api, users, stack, clock):
    alice, bob = users.create(), users.create()
    cid = challenge(stack, DAY, answer="B-tree", options=["Hash", "GIN", "B-tree"], accepted=["btree index"],
                    difficulty="advanced")
    assert api.get("/api/challenges/today").json["options"] == ["Hash", "GIN", "B-tree"]
    assert submit(api, alice, cid, choice=1).json["correct"] is False
    assert submit(api, alice, cid, choice=5).status == 400
    assert submit(api, alice, cid, choice=2).json["points"] == 30
    assert submit(api, bob, cid, answer="BTree Index").json["correct"] is True


def test_choice_on_a_text_challenge_is_400(api, users, stack, clock):
    cid = challenge(stack, DAY)
    assert submit(api, users.create(), cid, choice=0).status == 400


def test_only_todays_challenge_can_be_answered(api, users, stack, clock):
    alice = users.create()
    yesterday = challenge(stack, DAY - timedelta(days=1))
    challenge(stack, DAY)
    tomorrow = challenge(stack, DAY + timedelta(days=1))
    for cid in (yesterday, tomorrow):
        reply = submit(api, alice, cid, answer="O(log n)")
        assert reply.status == 409 and "today" in reply.json["detail"]
    assert submit(api, alice, 999999, answer="x").status == 404


def test_streaks_follow_consecutive_solved_days(api, users, stack, clock):
    alice = users.create()
    for i in range(5):
        challenge(stack, DAY + timedelta(days=i))
    results = []
    for i in range(5):
        cid = api.get("/api/challenges/today").json["id"]
        if i != 2:  # day 3 missed
            results.append(submit(api, alice, cid, answer="O(log n)").json["streak"])
        clock.advance(days=1)
    assert results == [{"current": 1, "longest": 1}, {"current": 2, "longest": 2},
                       {"current": 1, "longest": 2}, {"current": 2, "longest": 2}]


@pytest.mark.parametrize("body", [
    {}, {"answer": ""}, {"answer": "   "}, {"answer": "a", "choice": 1}, {"choice": "1"}, {"choice": -1},
    {"answer": 5}, {"answer": "x" * 501}, {"answer": "bad\x07"}, {"answer": "x", "extra": True},
])
def test_bad_submissions_are_422(api, users, stack, clock, body):
    cid = challenge(stack, DAY)
    reply = submit(api, users.create(), cid, **body)
    assert reply.status == 422, reply.text


def test_bad_ids_and_anonymous(api, users, stack, clock):
    alice = users.create()
    assert api.post("/api/challenges/abc/submit", {"answer": "x"}, token=alice.token).status == 422
    assert api.post("/api/challenges/0/submit", {"answer": "x"}, token=alice.token).status == 422
    assert api.post("/api/challenges/1/submit", {"answer": "x"}).status == 401


def test_public_leaderboard(api, users, stack, clock):
    alice, bob = users.create(name="Alice"), users.create(name="Bob")
    first = challenge(stack, DAY, difficulty="intermediate")
    challenge(stack, DAY + timedelta(days=1))
    submit(api, bob, first, answer="O(log n)")
    submit(api, alice, first, answer="wrong")
    clock.advance(days=1)
    second = api.get("/api/challenges/today").json["id"]
    submit(api, alice, second, answer="O(log n)")
    board = api.get("/api/challenges/leaderboard").json
    assert board == [{"rank": 1, "name": "Bob", "points": 20, "solved": 1},
                     {"rank": 2, "name": "Alice", "points": 10, "solved": 1}]
    assert api.get("/api/challenges/leaderboard?limit=1").json == board[:1]
    assert api.get("/api/challenges/leaderboard?limit=abc").status == 422
