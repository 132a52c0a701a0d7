"""Spaced repetition on FSRS: cards, the due queue, reviews, grade mapping, lapses, stats, UTC."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from layers import bootstrap
from layers.adapters.clock import FixedClock
from tests.support.reader import make_post, sql

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock():
    fixed = FixedClock(START)
    with bootstrap.override(clock=fixed):
        yield fixed


def add_card(api, account, post_id, front="What is MVCC?", back="Multi-version concurrency control"):
    reply = api.post("/api/srs/cards", {"post_id": post_id, "front": front, "back": back}, token=account.token)
    assert reply.status == 201, reply.text
    return reply.json["items"][0]


def grade(api, account, card_id, value):
    reply = api.post("/api/srs/reviews", {"card_id": card_id, "grade": value}, token=account.token)
    assert reply.status == 200, reply.text
    return reply.json


def due(card):
    return datetime.fromisoformat(card["due_at"])


def test_card_lifecycle_and_queue(api, users, stack, clock):
    alice = users.create()
    post = make_post(stack, "mvcc")
    card = add_card(api, alice, post)
    assert card["state"] == "new" and due(card) == START and card["review_count"] == 0
    again = api.post("/api/srs/cards", {"post_id": post, "front": "What is MVCC?", "back": "other"},
                     token=alice.token).json
    assert again["created"] == 0 and again["items"][0]["id"] == card["id"]
    queue = api.get("/api/srs/queue", token=alice.token).json
    assert [c["id"] for c in queue["items"]] == [card["id"]]
    grade(api, alice, card["id"], 4)
    assert api.get("/api/srs/queue", token=alice.token).json["total"] == 0


def test_queue_lists_oldest_due_first(api, users, stack, clock):
    alice = users.create()
    post = make_post(stack, "order")
    first = add_card(api, alice, post, front="one")
    clock.advance(minutes=1)
    second = add_card(api, alice, post, front="two")
    clock.advance(minutes=1)
    third = add_card(api, alice, post, front="three")
    grade(api, alice, first["id"], 0)  # Again: due again in a minute, after the other two
    clock.advance(hours=1)
    assert [c["id"] for c in api.get("/api/srs/queue", token=alice.token).json["items"]] == \
        [second["id"], third["id"], first["id"]]


def test_cards_from_the_question_bank(api, users, stack, clock):
    alice = users.create()
    post = make_post(stack, "bank")
    for i in range(2):
        sql(stack, "INSERT INTO quiz_questions (post_id, question, options, answer_index, explanation)"
                   " VALUES (%s, %s, %s::jsonb, 1, 'because')", (post, f"Question {i}?", '["no", "yes"]'))
    reply = api.post("/api/srs/cards", {"post_id": post}, token=alice.token)
    assert reply.status == 201 and reply.json["created"] == 2
    assert reply.json["items"][0]["front"] == "Question 0?" and reply.json["items"][0]["back"] == "yes\n\nbecause"
    assert api.post("/api/srs/cards", {"post_id": post}, token=alice.token).json["created"] == 0
    empty = make_post(stack, "empty")
    missing = api.post("/api/srs/cards", {"post_id": empty}, token=alice.token)
    assert missing.status == 404 and "question bank" in missing.json["detail"]
    assert api.post("/api/srs/cards", {"post_id": 999999}, token=alice.token).status == 404


def test_premium_post_cards_need_a_subscription(api, users, stack, clock):
    alice = users.create()
    post = make_post(stack, "paid", is_premium=True)
    reply = api.post("/api/srs/cards", {"post_id": post, "front": "f", "back": "b"}, token=alice.token)
    assert reply.status == 403


def test_intervals_grow_with_good_reviews(api, users, stack, clock):
    alice = users.create()
    card = add_card(api, alice, make_post(stack, "growth"))
    intervals = []
    for _ in range(6):
        clock.set(due(card))
        card = grade(api, alice, card["id"], 4)
        intervals.append(due(card) - clock.now())
    assert card["state"] == "review"
    review_intervals = intervals[2:]  # the first reviews walk the learning steps
    assert all(b > a for a, b in zip(review_intervals, review_intervals[1:], strict=False)), intervals
    assert card["review_count"] == 6 and card["lapses"] == 0


def test_a_lapse_sends_the_card_to_relearning(api, users, stack, clock):
    alice = users.create()
    card = add_card(api, alice, make_post(stack, "lapse"))
    for _ in range(4):
        clock.set(due(card))
        card = grade(api, alice, card["id"], 4)
    assert card["state"] == "review"
    stability = card["stability"]
    clock.set(due(card))
    lapsed = grade(api, alice, card["id"], 1)
    assert lapsed["state"] == "relearning" and lapsed["lapses"] == 1 and lapsed["rating"] == 1
    assert lapsed["stability"] < stability
    assert due(lapsed) - clock.now() <= timedelta(minutes=10)


def test_grade_mapping(api, users, stack, clock):
    alice = users.create()
    post = make_post(stack, "grades")
    results = {}
    for g in range(6):
        card = add_card(api, alice, post, front=f"card {g}")
        results[g] = grade(api, alice, card["id"], g)
    assert [results[g]["rating"] for g in range(6)] == [1, 1, 1, 2, 3, 4]
    assert due(results[0]) == due(results[1]) == due(results[2])
    assert due(results[2]) < due(results[3]) < due(results[4]) < due(results[5])
    assert results[5]["state"] == "review"  # Easy graduates a new card at once


def test_another_users_card_is_404(api, users, stack, clock):
    alice, bob = users.create(), users.create()
    card = add_card(api, alice, make_post(stack, "mine"))
    assert api.post("/api/srs/reviews", {"card_id": card["id"], "grade": 4}, token=bob.token).status == 404
    assert api.get("/api/srs/queue", token=bob.token).json["total"] == 0
    assert api.post("/api/srs/reviews", {"card_id": 999999, "grade": 4}, token=alice.token).status == 404


@pytest.mark.parametrize("body", [
    {"card_id": 1, "grade": 6}, {"card_id": 1, "grade": -1}, {"card_id": 1, "grade": "4"},
    {"card_id": 1, "grade": 4.5}, {"card_id": 1, "grade": True}, {"card_id": 1}, {"grade": 4},
    {"card_id": 0, "grade": 4}, {"card_id": "1", "grade": 4}, {"card_id": 2**63, "grade": 4},
    {"card_id": 1, "grade": 4, "extra": 1},
])
def test_bad_reviews_are_422(api, users, body):
    alice = users.create()
    reply = api.post("/api/srs/reviews", body, token=alice.token)
    assert reply.status == 422, reply.text
    assert reply.json["detail"]


@pytest.mark.parametrize("body", [
    {"post_id": 1, "front": "only front"}, {"post_id": "x"}, {"post_id": 1, "front": "", "back": "b"},
    {"post_id": 1, "front": "a" * 2001, "back": "b"}, {"post_id": 1, "front": "nul\x00", "back": "b"},
])
def test_bad_cards_are_422(api, users, body):
    assert api.post("/api/srs/cards", body, token=users.create().token).status == 422


def test_anonymous_is_401(api):
    assert api.get("/api/srs/queue").status == 401
    assert api.get("/api/srs/stats").status == 401


def test_stats(api, users, stack, clock):
    alice = users.create()
    post = make_post(stack, "stats")
    cards = [add_card(api, alice, post, front=f"card {i}") for i in range(3)]
    for card in cards[:2]:  # graduate two cards to review state
        grade(api, alice, card["id"], 5)
    stats = api.get("/api/srs/stats", token=alice.token).json
    assert stats["due_now"] == 1 and stats["reviewed_today"] == 2 and stats["total"] == 3
    assert stats["by_state"] == {"new": 1, "learning": 0, "review": 2, "relearning": 0}
    assert stats["retention_30d"] is None
    clock.advance(days=60)
    grade(api, alice, cards[0]["id"], 4)
    grade(api, alice, cards[1]["id"], 0)
    stats = api.get("/api/srs/stats", token=alice.token).json
    assert stats["retention_30d"] == 0.5 and stats["reviews_tested_30d"] == 2
    assert stats["reviewed_today"] == 2 and stats["by_state"]["relearning"] == 1


def test_review_log_replays_to_the_stored_state(api, users, stack, clock):
    from layers.services.learning import scheduling

    alice = users.create()
    card = add_card(api, alice, make_post(stack, "replay"))
    for g in (4, 4, 3, 1, 4, 5):
        clock.set(due(card))
        card = grade(api, alice, card["id"], g)
    log = [(r["rating"], r["reviewed_at"]) for r in sql(
        stack, "SELECT rating, reviewed_at FROM srs_reviews WHERE card_id = %s ORDER BY reviewed_at, id", (card["id"],))]
    created = datetime.fromisoformat(card["created_at"])
    replayed = scheduling.replay(scheduling.scheduler(0.9, 3650), card["id"], created, log)
    assert replayed.due == due(card) and replayed.stability == pytest.approx(card["stability"])


def test_fsrs_needs_timezone_utc_and_zoneinfo_is_converted():
    from fsrs import Rating

    from layers.services.learning import scheduling

    zoned = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("UTC"))
    sched = scheduling.scheduler(0.9, 3650)
    with pytest.raises(ValueError):
        sched.review_card(_raw_card(zoned), Rating.Good, zoned)
    row = {"id": 1, "state": 2, "step": None, "stability": 5.0, "difficulty": 5.0,
           "next_review_at": zoned, "last_review_at": zoned - timedelta(days=5)}
    reviewed = scheduling.review(sched, scheduling.card_from_row(row), 4, zoned)
    assert reviewed.due.tzinfo is timezone.utc and reviewed.due > zoned
    assert scheduling.utc(datetime(2026, 1, 1, 12)).tzinfo is timezone.utc
    berlin = datetime(2026, 1, 1, 13, tzinfo=ZoneInfo("Europe/Berlin"))
    assert scheduling.utc(berlin) == datetime(2026, 1, 1, 12, tzinfo=timezone.utc)


def _raw_card(due_at):
    from fsrs import Card

    return Card(card_id=1, due=due_at)


def test_new_scheduler_parameters_replay_the_review_log(api, users, stack, clock, settings_env):
    alice, admin = users.create(), users.admin()
    card = add_card(api, alice, make_post(stack, "params"))
    for g in (4, 4, 4):
        clock.set(due(card))
        card = grade(api, alice, card["id"], g)
    unchanged = api.post("/api/admin/tasks/srs_reschedule/run", token=admin.token)
    assert unchanged.status == 200, unchanged.text
    assert sql(stack, "SELECT next_review_at FROM srs_cards WHERE id = %s", (card["id"],))[0]["next_review_at"] == due(card)

    settings_env(SRS_DESIRED_RETENTION="0.8")  # recall aimed lower: longer intervals
    assert api.post("/api/admin/tasks/srs_reschedule/run", token=admin.token).status == 200
    row = sql(stack, "SELECT next_review_at, last_review_at, scheduler_key FROM srs_cards WHERE id = %s",
              (card["id"],))[0]
    assert row["last_review_at"] == datetime.fromisoformat(card["last_review_at"])
    assert row["next_review_at"] > due(card) and "r=0.8" in row["scheduler_key"]
    assert grade(api, alice, card["id"], 4)["review_count"] == 4  # reviews go on from the replayed state


def test_reviews_earn_xp_once_per_card_and_day(api, users, stack, clock):
    alice = users.create()
    card = add_card(api, alice, make_post(stack, "xp"))
    assert grade(api, alice, card["id"], 0)["xp_awarded"] == 1
    assert grade(api, alice, card["id"], 4)["xp_awarded"] == 0
    clock.advance(days=1)
    assert grade(api, alice, card["id"], 4)["xp_awarded"] == 1
    assert sql(stack, "SELECT count(*) AS n FROM xp_events WHERE user_id = %s AND reason = 'review'",
               (alice.id,))[0]["n"] == 2
