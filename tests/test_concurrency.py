"""Concurrency: parallel requests through the real local HTTP server never fail and apply once.

For every write that touches per-user or shared state, N requests are released at once
(``tests.support.concurrency.race``): (a) one user on one object, (b) one user on different
objects, (c) many users on one object. Every test asserts that nothing answered 5xx (a deadlock
answers 503 "database is unavailable"), that each effect was applied exactly once, and that the
totals add up: ``users.xp`` equals its ledger, counters equal their rows.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from tests.support.accounts import PASSWORD
from tests.support.concurrency import (
    N,
    accounts,
    assert_no_5xx,
    assert_totals_add_up,
    badge_slugs,
    delete,
    ledger,
    notification_titles,
    patch,
    post,
    put,
    quiz_bank,
    race,
    refresh_token_for,
    right_answers,
    statuses,
)
from tests.support.gamification import clock_at
from tests.support.reader import make_post, make_series, make_tag, sql
from tests.support.stripe_fake import event, invoice, signature, subscription, webhook_only

NOON = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)


def me(api, account):
    reply = api.get("/api/gamification/me", token=account.token)
    assert reply.status == 200, reply.text
    return reply.json


def read_call(account, post_id):
    return post(f"/api/progress/{post_id}/read", account.token, {})


# ---- progress (mark read) ----------------------------------------------------------------------

def test_one_user_marking_one_post_read_many_times_at_once_earns_once(api, stack, live_server):
    [alice] = accounts("reader", 1)
    story = make_post(stack, "one-post")
    answers = race(live_server, [read_call(alice, story)] * N)
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * N
    assert sorted(a.body["xp_awarded"] for a in answers) == [0] * (N - 1) + [10]
    assert ledger(stack, alice.id) == [("read", str(story), 10)]
    assert assert_totals_add_up(stack, alice.id) == 10
    assert sql(stack, "SELECT count(*) AS n FROM user_progress WHERE user_id = %s", (alice.id,))[0]["n"] == 1
    assert notification_titles(stack, alice.id, "badge") == ["Badge earned: First read"]


def test_one_user_reading_different_posts_at_once_earns_every_read(api, stack, live_server):
    [alice] = accounts("reader", 1)
    posts = [make_post(stack, f"post-{i}") for i in range(6)]
    answers = race(live_server, [read_call(alice, p) for p in posts])
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * 6
    assert [a.body["xp_awarded"] for a in answers] == [10] * 6
    assert ledger(stack, alice.id) == sorted(("read", str(p), 10) for p in posts)
    assert assert_totals_add_up(stack, alice.id) == 60
    assert me(api, alice)["xp"] == 60
    assert badge_slugs(stack, alice.id) == ["first-read"]
    assert notification_titles(stack, alice.id, "badge") == ["Badge earned: First read"]
    streak = api.get("/api/gamification/streak", token=alice.token).json
    assert (streak["current"], streak["longest"]) == (1, 1)  # one day, counted once
    assert api.get("/api/progress/stats", token=alice.token).json["posts_read"] == 6


def test_reading_a_whole_series_at_once_pays_the_series_bonus_exactly_once(api, stack, live_server):
    [alice] = accounts("reader", 1)
    parts = [make_post(stack, f"part-{i}", series="course", series_position=i + 1) for i in range(4)]
    series_id = make_series(stack, "course")
    answers = race(live_server, [read_call(alice, p) for p in parts])
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * 4
    assert [a.body["xp_awarded"] for a in answers] == [10] * 4  # what the read earned; the bonus is its own
    assert ledger(stack, alice.id) == sorted([("read", str(p), 10) for p in parts] + [("series", str(series_id), 50)])
    assert assert_totals_add_up(stack, alice.id) == 90
    assert badge_slugs(stack, alice.id) == ["first-read", "first-series"]
    assert notification_titles(stack, alice.id, "badge") == ["Badge earned: First read",
                                                             "Badge earned: Series finisher"]
    progress = api.get(f"/api/progress/series/{series_id}", token=alice.token).json
    assert (progress["read"], progress["total"], progress["completed"]) == (4, 4, True)


def test_many_users_reading_one_post_at_once_each_earn_once(api, stack, live_server):
    readers = accounts("reader", N)
    story = make_post(stack, "popular")
    answers = race(live_server, [read_call(r, story) for r in readers])
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * N
    assert [a.body["xp_awarded"] for a in answers] == [10] * N
    for reader in readers:
        assert ledger(stack, reader.id) == [("read", str(story), 10)]
        assert assert_totals_add_up(stack, reader.id) == 10
        assert badge_slugs(stack, reader.id) == ["first-read"]
    assert sql(stack, "SELECT count(*) AS n FROM badges WHERE slug = 'first-read'")[0]["n"] == 1
    assert sql(stack, "SELECT count(*) AS n FROM user_progress WHERE post_id = %s", (story,))[0]["n"] == N


# ---- quizzes -----------------------------------------------------------------------------------

def generate(api, account, post_id):
    reply = api.post("/api/quiz/generate", {"post_id": post_id}, token=account.token)
    assert reply.status == 201, reply.text
    return reply.json


def submit_call(account, quiz):
    return post(f"/api/quiz/{quiz['id']}/submit", account.token, {"answers": right_answers(quiz)})


def test_one_quiz_attempt_submitted_many_times_at_once_is_scored_once(api, stack, live_server):
    [alice] = accounts("quizzer", 1)
    lesson = make_post(stack, "lesson")
    quiz_bank(stack, lesson)
    quiz = generate(api, alice, lesson)
    answers = race(live_server, [submit_call(alice, quiz)] * N)
    assert_no_5xx(answers)
    assert statuses(answers) == [200] + [409] * (N - 1)
    [scored] = [a.body for a in answers if a.status == 200]
    assert (scored["score"], scored["passed"], scored["xp_awarded"]) == (3, True, 25)
    assert ledger(stack, alice.id) == [("quiz", str(lesson), 25)]
    assert assert_totals_add_up(stack, alice.id) == 25
    assert badge_slugs(stack, alice.id) == ["perfect-quiz"]
    assert notification_titles(stack, alice.id, "badge") == ["Badge earned: Perfect quiz"]


def test_one_user_submitting_quizzes_on_different_posts_at_once_earns_once_per_post(api, stack, live_server):
    [alice] = accounts("quizzer", 1)
    lessons = [make_post(stack, f"lesson-{i}") for i in range(3)]
    for lesson in lessons:
        quiz_bank(stack, lesson)
    quizzes = [generate(api, alice, lesson) for lesson in lessons for _ in range(2)]  # two attempts per post
    answers = race(live_server, [submit_call(alice, q) for q in quizzes])
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * 6
    assert sum(a.body["xp_awarded"] for a in answers) == 75
    assert ledger(stack, alice.id) == sorted(("quiz", str(lesson), 25) for lesson in lessons)
    assert assert_totals_add_up(stack, alice.id) == 75
    assert notification_titles(stack, alice.id, "badge") == ["Badge earned: Perfect quiz"]


def test_many_users_submitting_quizzes_on_one_post_at_once_each_earn_once(api, stack, live_server):
    takers = accounts("quizzer", N)
    lesson = make_post(stack, "shared-lesson")
    quiz_bank(stack, lesson)
    quizzes = [generate(api, t, lesson) for t in takers]
    answers = race(live_server, [submit_call(t, q) for t, q in zip(takers, quizzes, strict=True)])
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * N
    assert [a.body["xp_awarded"] for a in answers] == [25] * N
    for taker in takers:
        assert ledger(stack, taker.id) == [("quiz", str(lesson), 25)]
        assert assert_totals_add_up(stack, taker.id) == 25
    board = api.get("/api/quiz/leaderboard").json
    assert len(board) == N and {row["score"] for row in board} == {100}


# ---- daily challenge ---------------------------------------------------------------------------

def only_challenge(stack) -> int:
    """The bank's only challenge, so it is today's whatever the date."""
    return sql(stack, "INSERT INTO challenges (day, title, question, answer, difficulty, explanation, accepted)"
                      " VALUES ('2020-01-01', 'Lookup', 'Cost of a B-tree lookup?', 'O(log n)', 'beginner',"
                      " 'Because.', '[]'::jsonb) RETURNING id")[0]["id"]


def test_one_user_answering_the_challenge_many_times_at_once_scores_once(api, stack, live_server):
    [alice] = accounts("solver", 1)
    challenge = only_challenge(stack)
    calls = [post(f"/api/challenges/{challenge}/submit", alice.token,
                  {"answer": "O(log n)" if i % 2 else "O(n)"}) for i in range(N)]
    with clock_at(NOON):  # one day, whenever the test runs
        answers = race(live_server, calls)
        solved = api.get("/api/challenges/today", token=alice.token).json["solved"]
    assert_no_5xx(answers)
    right = [a for c, a in zip(calls, answers, strict=True) if c.json["answer"] == "O(log n)"]
    wrong = [a for c, a in zip(calls, answers, strict=True) if c.json["answer"] == "O(n)"]
    assert statuses(right) == [200] + [409] * (len(right) - 1)
    assert all(a.status in (200, 409) for a in wrong)
    assert not any(a.body["correct"] for a in wrong if a.status == 200)
    [scored] = [a.body for a in right if a.status == 200]
    assert (scored["correct"], scored["xp_awarded"]) == (True, 10)
    assert [(reason, amount) for reason, _, amount in ledger(stack, alice.id)] == [("challenge", 10)]
    assert assert_totals_add_up(stack, alice.id) == 10
    assert sql(stack, "SELECT count(*) AS n FROM challenge_submissions WHERE user_id = %s AND is_correct",
               (alice.id,))[0]["n"] == 1
    assert solved is True


def test_many_users_answering_the_challenge_at_once_each_score_once(api, stack, live_server):
    solvers = accounts("solver", N)
    challenge = only_challenge(stack)
    with clock_at(NOON):
        answers = race(live_server, [post(f"/api/challenges/{challenge}/submit", s.token, {"answer": "O(log n)"})
                                     for s in solvers])
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * N
    assert all(a.body["correct"] and a.body["xp_awarded"] == 10 for a in answers)
    for solver in solvers:
        assert assert_totals_add_up(stack, solver.id) == 10
    board = api.get("/api/challenges/leaderboard").json
    assert len(board) == N and {row["points"] for row in board} == {10}


# ---- streak check-in ---------------------------------------------------------------------------

def test_one_user_checking_in_many_times_at_once_counts_the_day_once(api, stack, live_server):
    [alice] = accounts("streaker", 1)
    with clock_at(NOON):  # one day, whenever the test runs
        answers = race(live_server, [post("/api/gamification/streak/check-in", alice.token)] * N)
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * N
    assert sorted(a.body["counted"] for a in answers) == [False] * (N - 1) + [True]
    assert sum(a.body["xp_awarded"] for a in answers) == 5
    assert {a.body["current"] for a in answers} == {1}
    assert [(reason, amount) for reason, _, amount in ledger(stack, alice.id)] == [("checkin", 5)]
    assert assert_totals_add_up(stack, alice.id) == 5


def test_many_users_checking_in_at_once_each_count_once(api, stack, live_server):
    streakers = accounts("streaker", N)
    with clock_at(NOON):
        answers = race(live_server, [post("/api/gamification/streak/check-in", s.token) for s in streakers])
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * N
    assert all(a.body["counted"] and a.body["xp_awarded"] == 5 and a.body["current"] == 1 for a in answers)
    for streaker in streakers:
        assert assert_totals_add_up(stack, streaker.id) == 5


def test_one_user_doing_everything_at_once_in_several_tabs(api, stack, live_server):
    """Reads, a check-in, the challenge, a quiz, a bookmark and a reaction from one account at once."""
    [alice] = accounts("busy", 1)
    posts = [make_post(stack, f"tab-{i}") for i in range(3)]
    quiz_bank(stack, posts[0])
    quiz = generate(api, alice, posts[0])
    challenge = only_challenge(stack)
    calls = [*(read_call(alice, p) for p in posts),
             post("/api/gamification/streak/check-in", alice.token),
             post(f"/api/challenges/{challenge}/submit", alice.token, {"answer": "O(log n)"}),
             submit_call(alice, quiz),
             post("/api/bookmarks", alice.token, {"post_id": posts[1]}),
             put(f"/api/posts/{posts[2]}/reaction", alice.token, {"reaction_type": "like"})]
    answers = race(live_server, calls)
    assert_no_5xx(answers)
    assert [a.status for a in answers] == [200, 200, 200, 200, 200, 200, 201, 200]
    reads, check_in, solved, scored = answers[:3], answers[3], answers[4], answers[5]
    assert [a.body["xp_awarded"] for a in reads] == [10, 10, 10]
    assert (solved.body["xp_awarded"], scored.body["xp_awarded"]) == (10, 25)
    # The check-in earns its 5 XP only when it was the day's first activity; the day counts once.
    assert check_in.body["xp_awarded"] == (5 if check_in.body["counted"] else 0)
    total = assert_totals_add_up(stack, alice.id)
    assert total == 30 + 10 + 25 + check_in.body["xp_awarded"]
    streak = api.get("/api/gamification/streak", token=alice.token).json
    assert (streak["current"], streak["longest"], streak["checked_in_today"]) == (1, 1, True)
    assert api.get(f"/api/bookmarks/{posts[1]}", token=alice.token).json == {"bookmarked": True}


# ---- referral sign-ups -------------------------------------------------------------------------

def register_call(email, code):
    return post("/api/auth/register", None, {"email": email, "password": PASSWORD, "name": "Friend",
                                              "referral_code": code})


def referral_code(api, account):
    reply = api.post("/api/referrals/code", token=account.token)
    assert reply.status == 200, reply.text
    return reply.json


def test_many_new_users_registering_with_one_code_at_once_each_reward_the_referrer(api, stack, live_server):
    [alice] = accounts("referrer", 1)
    code = referral_code(api, alice)["code"]
    answers = race(live_server, [register_call(f"friend{i}@example.com", code) for i in range(N)])
    assert_no_5xx(answers)
    assert statuses(answers) == [201] * N
    friends = sorted(a.body["id"] for a in answers)
    assert referral_code(api, alice)["signups"] == N
    assert ledger(stack, alice.id) == sorted(("referral", str(f), 50) for f in friends)
    assert assert_totals_add_up(stack, alice.id) == N * 50
    assert badge_slugs(stack, alice.id) == ["first-referral", "five-referrals"]
    assert notification_titles(stack, alice.id, "badge") == ["Badge earned: Ambassador",
                                                             "Badge earned: Community builder"]
    rows = sql(stack, "SELECT id, referred_by FROM users WHERE email LIKE 'friend%%' ORDER BY id")
    assert [(r["id"], r["referred_by"]) for r in rows] == [(f, alice.id) for f in friends]


def test_one_email_registered_many_times_at_once_makes_one_account_and_one_reward(api, stack, live_server):
    [alice] = accounts("referrer", 1)
    code = referral_code(api, alice)["code"]
    answers = race(live_server, [register_call("twin@example.com", code)] * 6)
    assert_no_5xx(answers)
    assert statuses(answers) == [201] + [409] * 5
    assert sql(stack, "SELECT count(*) AS n FROM users WHERE email = 'twin@example.com'")[0]["n"] == 1
    assert referral_code(api, alice)["signups"] == 1
    assert assert_totals_add_up(stack, alice.id) == 50


def test_one_user_asking_for_a_referral_code_many_times_at_once_gets_one_code(api, stack, live_server):
    [alice] = accounts("referrer", 1)
    answers = race(live_server, [post("/api/referrals/code", alice.token)] * N)
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * N
    assert len({a.body["code"] for a in answers}) == 1
    assert sql(stack, "SELECT count(*) AS n FROM referrals WHERE user_id = %s", (alice.id,))[0]["n"] == 1


def test_visits_tracked_at_once_count_once_per_client(api, stack, live_server):
    [alice] = accounts("referrer", 1)
    visitors = accounts("visitor", N)
    code = referral_code(api, alice)["code"]
    track = {"code": code, "event": "visit"}
    with clock_at(NOON):  # one hour for both races
        same_client = race(live_server, [post("/api/referrals/track", visitors[0].token, track)] * N)
        many_clients = race(live_server, [post("/api/referrals/track", v.token, track) for v in visitors])
    assert_no_5xx(same_client)
    assert statuses(same_client) == [202] * N
    assert sorted(a.body["recorded"] for a in same_client) == [False] * (N - 1) + [True]
    assert_no_5xx(many_clients)
    assert [a.body["recorded"] for a in many_clients] == [False] + [True] * (N - 1)
    assert referral_code(api, alice)["visits"] == N


# ---- certificates ------------------------------------------------------------------------------

def completed_series(api, stack, readers, slug, parts=2):
    posts = [make_post(stack, f"{slug}-{i}", series=slug, series_position=i + 1) for i in range(parts)]
    for reader in readers:
        for p in posts:
            assert api.post(f"/api/progress/{p}/read", {}, token=reader.token).status == 200
    return make_series(stack, slug)


def test_one_user_claiming_one_certificate_many_times_at_once_gets_one(api, stack, live_server):
    [alice] = accounts("graduate", 1)
    series = completed_series(api, stack, [alice], "course")
    answers = race(live_server, [post(f"/api/certificates/{series}", alice.token)] * N)
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * N
    assert len({a.body["code"] for a in answers}) == 1
    assert sql(stack, "SELECT count(*) AS n FROM certificates WHERE user_id = %s", (alice.id,))[0]["n"] == 1
    assert api.get(f"/api/certificates/verify/{answers[0].body['code']}").status == 200


def test_one_user_claiming_certificates_of_different_series_at_once_gets_each(api, stack, live_server):
    [alice] = accounts("graduate", 1)
    series = [completed_series(api, stack, [alice], f"course-{i}", parts=1) for i in range(6)]
    answers = race(live_server, [post(f"/api/certificates/{s}", alice.token) for s in series])
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * 6
    assert [a.body["series"]["id"] for a in answers] == series
    assert len({a.body["code"] for a in answers}) == 6
    assert sql(stack, "SELECT count(*) AS n FROM certificates WHERE user_id = %s", (alice.id,))[0]["n"] == 6


def test_many_users_claiming_one_series_certificate_at_once_each_get_their_own(api, stack, live_server):
    graduates = accounts("graduate", N)
    series = completed_series(api, stack, graduates, "course")
    answers = race(live_server, [post(f"/api/certificates/{series}", g.token) for g in graduates])
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * N
    assert len({a.body["code"] for a in answers}) == N
    assert [a.body["holder_name"] for a in answers] == [f"Graduate {i}" for i in range(N)]
    assert sql(stack, "SELECT count(*) AS n FROM certificates WHERE series_id = %s", (series,))[0]["n"] == N


# ---- bookmarks ---------------------------------------------------------------------------------

def test_one_user_bookmarking_one_post_many_times_at_once_saves_it_once(api, stack, live_server):
    [alice] = accounts("saver", 1)
    story = make_post(stack, "keeper")
    answers = race(live_server, [post("/api/bookmarks", alice.token, {"post_id": story})] * N)
    assert_no_5xx(answers)
    assert statuses(answers) == [201] + [409] * (N - 1)
    assert api.get("/api/bookmarks", token=alice.token).json["total"] == 1


def test_one_user_bookmarking_different_posts_at_once_saves_each(api, stack, live_server):
    [alice] = accounts("saver", 1)
    posts = [make_post(stack, f"keeper-{i}") for i in range(N)]
    answers = race(live_server, [post("/api/bookmarks", alice.token, {"post_id": p}) for p in posts])
    assert_no_5xx(answers)
    assert statuses(answers) == [201] * N
    listed = api.get("/api/bookmarks", token=alice.token).json
    assert listed["total"] == N and sorted(i["post"]["id"] for i in listed["items"]) == sorted(posts)


def test_many_users_bookmarking_one_post_at_once_each_save_it_once(api, stack, live_server):
    savers = accounts("saver", N)
    story = make_post(stack, "keeper")
    answers = race(live_server, [post("/api/bookmarks", s.token, {"post_id": story}) for s in savers])
    assert_no_5xx(answers)
    assert statuses(answers) == [201] * N
    rows = sql(stack, "SELECT user_id FROM bookmarks WHERE post_id = %s ORDER BY user_id", (story,))
    assert [r["user_id"] for r in rows] == sorted(s.id for s in savers)


def test_one_user_adding_and_removing_one_bookmark_at_once_applies_each_answer_once(api, stack, live_server):
    [alice] = accounts("saver", 1)
    story = make_post(stack, "keeper")
    calls = [post("/api/bookmarks", alice.token, {"post_id": story}) if i % 2 == 0
             else delete(f"/api/bookmarks/{story}", alice.token) for i in range(N)]
    answers = race(live_server, calls)
    assert_no_5xx(answers)
    adds = [a.status for c, a in zip(calls, answers, strict=True) if c.method == "POST"]
    removes = [a.status for c, a in zip(calls, answers, strict=True) if c.method == "DELETE"]
    assert set(adds) <= {201, 409} and set(removes) <= {204, 404}
    saved = api.get(f"/api/bookmarks/{story}", token=alice.token).json["bookmarked"]
    assert adds.count(201) - removes.count(204) == int(saved)  # every 201 and 204 happened, once


# ---- reactions ---------------------------------------------------------------------------------

KINDS = ["like", "love", "insightful", "celebrate", "confused"]


def post_slug(stack, post_id):
    return sql(stack, "SELECT slug FROM posts WHERE id = %s", (post_id,))[0]["slug"]


def test_one_user_reacting_to_one_post_many_times_at_once_keeps_one_reaction(api, stack, live_server):
    [alice] = accounts("reactor", 1)
    story = make_post(stack, "reacted")
    answers = race(live_server, [put(f"/api/posts/{story}/reaction", alice.token,
                                     {"reaction_type": KINDS[i % len(KINDS)]}) for i in range(N)])
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * N
    rows = sql(stack, "SELECT user_id, reaction_type FROM post_reactions WHERE post_id = %s", (story,))
    assert len(rows) == 1 and rows[0]["user_id"] == alice.id
    seen = api.get(f"/api/posts/{post_slug(stack, story)}", token=alice.token).json
    assert seen["reactions"] == {rows[0]["reaction_type"]: 1} and seen["my_reaction"] == rows[0]["reaction_type"]


def test_one_user_reacting_to_different_posts_at_once_reacts_to_each(api, stack, live_server):
    [alice] = accounts("reactor", 1)
    posts = [make_post(stack, f"reacted-{i}") for i in range(N)]
    answers = race(live_server, [put(f"/api/posts/{p}/reaction", alice.token, {"reaction_type": "like"})
                                 for p in posts])
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * N
    assert [a.body["reactions"] for a in answers] == [{"like": 1}] * N


def test_many_users_reacting_to_one_post_at_once_each_count_once(api, stack, live_server):
    reactors = accounts("reactor", N)
    story = make_post(stack, "reacted")
    answers = race(live_server, [put(f"/api/posts/{story}/reaction", r.token,
                                     {"reaction_type": KINDS[i % 2]}) for i, r in enumerate(reactors)])
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * N
    seen = api.get(f"/api/posts/{post_slug(stack, story)}").json
    assert seen["reactions"] == {"like": N // 2, "love": N - N // 2}


def test_one_user_setting_and_removing_a_reaction_at_once_ends_consistent(api, stack, live_server):
    [alice] = accounts("reactor", 1)
    story = make_post(stack, "reacted")
    calls = [put(f"/api/posts/{story}/reaction", alice.token, {"reaction_type": "love"}) if i % 2 == 0
             else delete(f"/api/posts/{story}/reaction", alice.token) for i in range(N)]
    answers = race(live_server, calls)
    assert_no_5xx(answers)
    assert [a.status for a in answers] == [200 if c.method == "PUT" else 204 for c in calls]
    rows = sql(stack, "SELECT reaction_type FROM post_reactions WHERE post_id = %s", (story,))
    assert len(rows) <= 1
    seen = api.get(f"/api/posts/{post_slug(stack, story)}", token=alice.token).json
    assert seen["reactions"] == ({"love": 1} if rows else {})
    assert seen["my_reaction"] == ("love" if rows else None)


# ---- comments and replies ----------------------------------------------------------------------

def comment_call(account, post_id, text, parent_id=None):
    body = {"content": text, **({"parent_id": parent_id} if parent_id is not None else {})}
    return post(f"/api/posts/{post_id}/comments", account.token, body)


def test_one_user_commenting_on_one_post_at_once_keeps_every_comment(api, stack, live_server):
    [alice] = accounts("commenter", 1)
    story = make_post(stack, "discussed")
    answers = race(live_server, [comment_call(alice, story, f"Thought number {i}") for i in range(N)])
    assert_no_5xx(answers)
    assert statuses(answers) == [201] * N
    tree = api.get(f"/api/posts/{story}/comments?page_size=100", token=alice.token).json
    assert tree["total"] == N
    assert sorted(c["content"] for c in tree["items"]) == sorted(f"Thought number {i}" for i in range(N))


def test_one_user_commenting_on_different_posts_at_once_keeps_every_comment(api, stack, live_server):
    [alice] = accounts("commenter", 1)
    posts = [make_post(stack, f"discussed-{i}") for i in range(N)]
    answers = race(live_server, [comment_call(alice, p, "Nice one") for p in posts])
    assert_no_5xx(answers)
    assert statuses(answers) == [201] * N
    assert sorted(a.body["post_id"] for a in answers) == sorted(posts)


def test_one_user_deleting_one_comment_many_times_at_once_deletes_it_once(api, stack, live_server):
    [alice] = accounts("commenter", 1)
    story = make_post(stack, "discussed")
    comment = api.post(f"/api/posts/{story}/comments", {"content": "Regret"}, token=alice.token).json["id"]
    answers = race(live_server, [delete(f"/api/comments/{comment}", alice.token)] * N)
    assert_no_5xx(answers)
    assert statuses(answers) == [204] + [404] * (N - 1)
    assert sql(stack, "SELECT count(*) AS n FROM comments WHERE post_id = %s", (story,))[0]["n"] == 0


def test_many_users_replying_to_one_comment_at_once_each_reply_once(api, stack, live_server):
    [author] = accounts("author", 1, role="admin")  # an admin's comment is approved at once
    repliers = accounts("replier", N)
    story = make_post(stack, "thread")
    parent = api.post(f"/api/posts/{story}/comments", {"content": "Start here"}, token=author.token)
    assert parent.status == 201, parent.text
    answers = race(live_server, [comment_call(r, story, f"Reply from {i}", parent.json["id"])
                                 for i, r in enumerate(repliers)])
    assert_no_5xx(answers)
    assert statuses(answers) == [201] * N
    rows = sql(stack, "SELECT user_id FROM comments WHERE parent_id = %s ORDER BY user_id", (parent.json["id"],))
    assert [r["user_id"] for r in rows] == sorted(r.id for r in repliers)
    assert len(notification_titles(stack, author.id, "comment_reply")) == N


def test_replies_racing_the_deletion_of_their_parent_are_never_lost(api, stack, live_server):
    """A reply that was answered 201 survives its parent's deletion (the parent stays as a tombstone)."""
    [author] = accounts("author", 1, role="admin")
    repliers = accounts("replier", N - 1)
    story = make_post(stack, "thread")
    parent = api.post(f"/api/posts/{story}/comments", {"content": "Soon gone"}, token=author.token).json["id"]
    calls = [delete(f"/api/comments/{parent}", author.token),
             *(comment_call(r, story, f"Reply from {i}", parent) for i, r in enumerate(repliers))]
    answers = race(live_server, calls)
    assert_no_5xx(answers)
    assert answers[0].status == 204
    replies = answers[1:]
    assert all(a.status in (201, 422) for a in replies), replies  # 422: the parent was already gone
    kept = sorted(a.body["id"] for a in replies if a.status == 201)
    stored = sql(stack, "SELECT id FROM comments WHERE id = ANY(%s) ORDER BY id", (kept,))
    assert [r["id"] for r in stored] == kept, "a reply answered 201 and was then deleted with its parent"
    parent_row = sql(stack, "SELECT content, deleted_at FROM comments WHERE id = %s", (parent,))
    if kept:
        assert parent_row and parent_row[0]["deleted_at"] is not None and parent_row[0]["content"] == "[deleted]"
    else:
        assert parent_row == []


def test_a_reply_committed_while_its_parent_is_being_deleted_survives(api, stack, live_server):
    """The same race, in the order that loses data: the deletion has started (and waits for the
    parent's row) when a reply commits. The reply answered 201, so it must survive."""
    import threading

    import psycopg

    [author] = accounts("author", 1, role="admin")
    [replier] = accounts("replier", 1)
    story = make_post(stack, "thread")
    parent = api.post(f"/api/posts/{story}/comments", {"content": "Soon gone"}, token=author.token).json["id"]
    results: dict[str, object] = {}

    def send(name, call):
        results[name] = race(live_server, [call])[0]

    with psycopg.connect(stack["DATABASE_URL"]) as holder:
        # A key-share lock on the parent, as any transaction inserting a reply to it holds: the
        # deletion's row lock waits for it, a reply's foreign-key check does not.
        holder.execute("SELECT 1 FROM comments WHERE id = %s FOR KEY SHARE", (parent,))
        deleting = threading.Thread(target=send, args=("delete", delete(f"/api/comments/{parent}", author.token)))
        deleting.start()
        _wait_until(lambda: "delete" in results or _lock_waiters(stack) >= 1)
        replying = threading.Thread(target=send, args=("reply", comment_call(replier, story, "Late reply", parent)))
        replying.start()
        _wait_until(lambda: "reply" in results or _lock_waiters(stack) >= 2)
        holder.rollback()
        deleting.join(timeout=60)
        replying.join(timeout=60)
    reply, deleted = results["reply"], results["delete"]
    assert_no_5xx([reply, deleted])
    assert deleted.status == 204 and reply.status in (201, 422), (deleted, reply)
    if reply.status == 201:
        kept = sql(stack, "SELECT user_id, content FROM comments WHERE id = %s", (reply.body["id"],))
        assert kept == [{"user_id": replier.id, "content": "Late reply"}], "the 201 reply was deleted with its parent"
        parent_row = sql(stack, "SELECT content, deleted_at FROM comments WHERE id = %s", (parent,))
        assert parent_row and parent_row[0]["content"] == "[deleted]" and parent_row[0]["deleted_at"] is not None


def _lock_waiters(stack) -> int:
    """Backends of the app waiting for a lock (the test's own holder never waits)."""
    rows = sql(stack, "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                      " AND datname = current_database()")
    return int(rows[0]["n"])


def _wait_until(condition) -> None:
    for _ in range(400):
        if condition():
            return
        time.sleep(0.025)
    raise AssertionError("the requests never reached the point the test waits for")


# ---- Stripe webhooks ---------------------------------------------------------------------------

def webhook_call(payload: bytes):
    return post("/api/payments/webhook", None, body=payload, headers={"Stripe-Signature": signature(payload)})


def test_one_event_delivered_many_times_at_once_applies_once(api, stack, live_server, webhook_only):
    [alice] = accounts("payer", 1)
    payload = event("invoice.payment_failed", invoice("in_1", "sub_1", user_id=alice.id))
    answers = race(live_server, [webhook_call(payload)] * N)
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * N
    assert sorted(a.body["outcome"] for a in answers) == ["applied"] + ["duplicate"] * (N - 1)
    assert sql(stack, "SELECT count(*) AS n FROM stripe_events")[0]["n"] == 1
    assert sql(stack, "SELECT count(*) AS n FROM task_outbox"
                      " WHERE task_type = 'send_payment_failed_email'")[0]["n"] == 1


def test_different_events_of_one_subscription_at_once_end_in_the_newest_state(api, stack, live_server,
                                                                              webhook_only):
    [alice] = accounts("payer", 1)
    base = int(time.time()) - 100
    sub = lambda **kw: subscription("sub_1", user_id=alice.id, **kw)  # noqa: E731
    payloads = [
        event("checkout.session.completed", {"id": "cs_1", "object": "checkout.session", "mode": "subscription",
                                             "client_reference_id": str(alice.id), "customer": "cus_1",
                                             "subscription": "sub_1"}, created=base),
        event("customer.subscription.created", sub(status="incomplete"), created=base),
        event("customer.subscription.updated", sub(), created=base + 1),
        event("invoice.paid", invoice("in_1", "sub_1", user_id=alice.id), created=base + 5),
        event("customer.subscription.updated", sub(cancel_at_period_end=True), created=base + 10),
        event("invoice.paid", invoice("in_2", "sub_1", user_id=alice.id), created=base + 15),
        event("customer.subscription.updated", sub(status="past_due"), created=base + 20),  # the newest state
        event("invoice.payment_failed", invoice("in_3", "sub_1", user_id=alice.id), created=base + 20),
    ]
    answers = race(live_server, [webhook_call(p) for p in payloads])
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * len(payloads)
    assert [a.body["outcome"] for a in answers] == ["applied"] * len(payloads)
    state = api.get("/api/payments/subscription", token=alice.token).json
    assert (state["status"], state["cancel_at_period_end"]) == ("past_due", False)
    paid = sql(stack, "SELECT stripe_invoice_id FROM payments WHERE user_id = %s ORDER BY 1", (alice.id,))
    assert [r["stripe_invoice_id"] for r in paid] == ["in_1", "in_2"]
    assert sql(stack, "SELECT count(*) AS n FROM stripe_events")[0]["n"] == len(payloads)


def test_many_users_subscribing_at_once_each_become_premium(api, stack, live_server, webhook_only):
    payers = accounts("payer", N)
    payloads = [event("customer.subscription.created", subscription(f"sub_{p.id}", user_id=p.id,
                                                                    customer=f"cus_{p.id}")) for p in payers]
    answers = race(live_server, [webhook_call(p) for p in payloads])
    assert_no_5xx(answers)
    assert [a.body["outcome"] for a in answers] == ["applied"] * N
    for payer in payers:
        me_now = api.get("/api/auth/me", token=payer.token).json
        assert me_now["is_premium"] is True
    rows = sql(stack, "SELECT user_id, stripe_subscription_id FROM subscriptions ORDER BY user_id")
    assert [(r["user_id"], r["stripe_subscription_id"]) for r in rows] == [(p.id, f"sub_{p.id}") for p in payers]


# ---- refresh-token rotation --------------------------------------------------------------------

def refresh_call(token):
    return post("/api/auth/refresh", None, {"refresh_token": token})


def test_one_refresh_token_raced_yields_exactly_one_new_session(api, stack, live_server):
    [alice] = accounts("session", 1)
    spent = refresh_token_for(stack, alice.id)
    answers = race(live_server, [refresh_call(spent)] * N)
    assert_no_5xx(answers)
    assert statuses(answers) == [200] + [401] * (N - 1)
    [winner] = [a.body for a in answers if a.status == 200]
    assert winner["refresh_token"] != spent
    assert api.post("/api/auth/refresh", {"refresh_token": spent}).status == 401
    family = sql(stack, "SELECT count(*) FILTER (WHERE used_at IS NULL AND revoked_at IS NULL) AS live"
                        " FROM refresh_tokens WHERE user_id = %s", (alice.id,))[0]["live"]
    assert family <= 1  # never two usable sessions from one token


def test_one_user_signing_in_and_refreshing_several_sessions_at_once(api, stack, live_server):
    reply = api.post("/api/auth/register", {"email": "multi@example.com", "password": PASSWORD, "name": "Multi"})
    assert reply.status == 201, reply.text
    user_id = reply.json["id"]
    # Two real sign-ins at once (each hashes a password, ~0.5 s of CPU), the other sessions issued directly.
    logins = race(live_server, [post("/api/auth/login", None, {"email": "multi@example.com",
                                                               "password": PASSWORD})] * 2)
    assert_no_5xx(logins)
    assert statuses(logins) == [200] * 2
    tokens = [a.body["refresh_token"] for a in logins] + [refresh_token_for(stack, user_id) for _ in range(N - 2)]
    assert len(set(tokens)) == N
    answers = race(live_server, [refresh_call(t) for t in tokens])
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * N
    live = sql(stack, "SELECT count(*) AS n FROM refresh_tokens WHERE user_id = %s"
                      " AND used_at IS NULL AND revoked_at IS NULL", (user_id,))[0]["n"]
    assert live == N


def test_many_users_refreshing_at_once_each_rotate_once(api, stack, live_server):
    people = accounts("session", N)
    tokens = [refresh_token_for(stack, p.id) for p in people]
    answers = race(live_server, [refresh_call(t) for t in tokens])
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * N
    for person, answer in zip(people, answers, strict=True):
        me_now = api.get("/api/auth/me", token=answer.body["access_token"]).json
        assert me_now["id"] == person.id


# ---- admin edits -------------------------------------------------------------------------------

def tag_counts(api):
    items = api.get("/api/tags?page_size=100").json["items"]
    return {t["slug"]: t["post_count"] for t in items}


def post_tags(stack, post_id):
    rows = sql(stack, "SELECT t.slug FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = %s"
                      " ORDER BY t.slug", (post_id,))
    return [r["slug"] for r in rows]


@pytest.mark.parametrize("editors", ["one admin", "many admins"])
def test_parallel_patches_of_one_post_leave_one_consistent_version(api, stack, live_server, editors):
    admins = accounts("admin", 1 if editors == "one admin" else N, role="admin")
    tags = [make_tag(stack, f"topic-{i}") for i in range(4)]
    story = make_post(stack, "edited", tags=["topic-0"])
    calls = [patch(f"/api/posts/{story}", admins[i % len(admins)].token,
                   {"title": f"Edit {i}", "tags": [tags[i % 4]]}) for i in range(N)]
    answers = race(live_server, calls)
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * N
    final = sql(stack, "SELECT title FROM posts WHERE id = %s", (story,))[0]["title"]
    winner = int(final.split()[1])
    assert post_tags(stack, story) == [f"topic-{winner % 4}"]  # title and tags from the same edit
    assert tag_counts(api) == {f"topic-{i}": int(i == winner % 4) for i in range(4)}


def test_parallel_edits_of_different_posts_adding_one_tag_count_every_post(api, stack, live_server):
    [admin] = accounts("admin", 1, role="admin")
    make_tag(stack, "shared")
    posts = [make_post(stack, f"tagged-{i}") for i in range(N)]
    answers = race(live_server, [patch(f"/api/posts/{p}", admin.token, {"tags": ["shared"]}) for p in posts])
    assert_no_5xx(answers)
    assert statuses(answers) == [200] * N
    assert all(post_tags(stack, p) == ["shared"] for p in posts)
    assert tag_counts(api)["shared"] == N


def test_parallel_post_creation_with_one_tag_counts_every_post(api, stack, live_server):
    [admin] = accounts("admin", 1, role="admin")
    make_tag(stack, "shared")
    answers = race(live_server, [post("/api/posts", admin.token, {
        "title": f"Fresh post {i}", "content": "Some words.", "excerpt": "Short.", "status": "published",
        "tags": ["shared"]}) for i in range(N)])
    assert_no_5xx(answers)
    assert statuses(answers) == [201] * N
    assert tag_counts(api)["shared"] == N


def test_a_tag_merge_while_posts_are_being_edited_loses_no_tag(api, stack, live_server):
    [admin] = accounts("admin", 1, role="admin")
    source_a, source_b, target = make_tag(stack, "source-a"), make_tag(stack, "source-b"), make_tag(stack, "target")
    posts = [make_post(stack, f"merged-{i}", tags=["source-a" if i % 2 else "source-b"]) for i in range(N - 1)]
    calls = [post("/api/tags/merge", admin.token, {"source_ids": [source_a, source_b], "target_id": target}),
             *(patch(f"/api/posts/{p}", admin.token, {"title": f"Edited {i}", "tags": [source_a if i % 2 else source_b]})
               for i, p in enumerate(posts))]
    answers = race(live_server, calls)
    assert_no_5xx(answers)
    assert answers[0].status == 200, answers[0]
    edits = answers[1:]
    assert all(a.status in (200, 422) for a in edits), edits  # 422: the tag was merged away first
    for p in posts:
        assert post_tags(stack, p) == ["target"]  # tagged before, during or after the merge: now the target
    assert tag_counts(api) == {"target": len(posts)}


def test_parallel_merges_of_one_tag_by_many_admins_merge_it_once(api, stack, live_server):
    admins = accounts("admin", N, role="admin")
    source, target = make_tag(stack, "old-name"), make_tag(stack, "new-name")
    posts = [make_post(stack, f"renamed-{i}", tags=["old-name"]) for i in range(3)]
    answers = race(live_server, [post("/api/tags/merge", a.token, {"source_ids": [source], "target_id": target})
                                 for a in admins])
    assert_no_5xx(answers)
    assert statuses(answers) == [200] + [404] * (N - 1)  # the later ones find the source gone
    assert all(post_tags(stack, p) == ["new-name"] for p in posts)
    assert tag_counts(api) == {"new-name": 3}


def test_a_slug_taken_by_parallel_edits_goes_to_one_post(api, stack, live_server):
    [admin] = accounts("admin", 1, role="admin")
    posts = [make_post(stack, f"candidate-{i}") for i in range(N)]
    answers = race(live_server, [patch(f"/api/posts/{p}", admin.token, {"slug": "the-one-slug"}) for p in posts])
    assert_no_5xx(answers)
    assert statuses(answers) == [200] + [409] * (N - 1)
    owner = sql(stack, "SELECT id FROM posts WHERE slug = 'the-one-slug'")
    assert [r["id"] for r in owner] == [a.body["id"] for a in answers if a.status == 200]
