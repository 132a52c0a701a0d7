"""Gamification through HTTP: the XP ledger, levels, badges, milestones, streaks, leaderboards."""
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta, timezone

import pytest

from tests.support.gamification import clock_at, dead_port, post_json, read, redis
from tests.support.reader import make_post, sql


def me(api, account):
    reply = api.get("/api/gamification/me", token=account.token)
    assert reply.status == 200, reply.text
    return reply.json


def board(api, period="all", limit=10):
    reply = api.get(f"/api/gamification/leaderboard?period={period}&limit={limit}")
    assert reply.status == 200, reply.text
    return reply.json


def check_in(api, account):
    reply = api.post("/api/gamification/streak/check-in", token=account.token)
    assert reply.status == 200, reply.text
    return reply.json


def badge_notifications(api, account):
    items = api.get("/api/notifications?page_size=100", token=account.token).json["items"]
    return sorted(n["title"] for n in items if n["type"] == "badge")


def test_xp_is_awarded_once_under_retries_and_concurrent_requests(api, users, stack, live_server):
    alice = users.create()
    post = make_post(stack, "raced")
    with ThreadPoolExecutor(max_workers=6) as pool:
        replies = list(pool.map(lambda _: post_json(live_server, f"/api/progress/{post}/read", alice.token),
                                range(12)))
    assert [status for status, _ in replies] == [200] * 12
    assert sorted(body["xp_awarded"] for _, body in replies) == [0] * 11 + [10]
    assert read(api, alice, post)["xp_awarded"] == 0  # a retry later
    assert me(api, alice)["xp"] == 10
    assert sql(stack, "SELECT count(*) AS n FROM xp_events WHERE user_id = %s", (alice.id,))[0]["n"] == 1


def test_levels_follow_the_documented_curve(api, users, stack):
    alice = users.create()
    start = me(api, alice)
    assert start | {"badges": []} == {"xp": 0, "level": 1, "level_xp": 0, "next_level_xp": 100, "rank": 1,
                                      "streak": 0, "longest_streak": 0, "badges": []}
    for n in range(10):
        read(api, alice, make_post(stack, f"post-{n}"))
    now = me(api, alice)
    assert (now["xp"], now["level"], now["level_xp"], now["next_level_xp"]) == (100, 2, 100, 300)
    assert api.get("/api/auth/me", token=alice.token).json["level"] == 2


def test_badges_are_awarded_once_each_with_a_notification(api, users, stack):
    alice = users.create()
    posts = [make_post(stack, f"post-{n}") for n in range(10)]
    read(api, alice, posts[0])
    assert [b["slug"] for b in me(api, alice)["badges"]] == ["first-read"]
    for post in posts + posts:  # every post, twice
        read(api, alice, post)
    assert [b["slug"] for b in me(api, alice)["badges"]] == ["first-read", "ten-reads"]
    assert badge_notifications(api, alice) == ["Badge earned: First read", "Badge earned: Ten reads"]


def test_completing_a_series_earns_its_bonus_and_badge_once(api, users, stack):
    alice = users.create()
    first = make_post(stack, "part-1", series="course", series_position=1)
    second = make_post(stack, "part-2", series="course", series_position=2)
    assert read(api, alice, first)["xp"] == 10
    assert read(api, alice, second)["xp"] == 70  # 10 for the read, 50 for the completed series
    read(api, alice, second)
    assert me(api, alice)["xp"] == 70
    assert {b["slug"] for b in me(api, alice)["badges"]} == {"first-read", "first-series"}


def test_badge_catalogue_is_public_with_earned_flags_when_signed_in(api, users, stack):
    anonymous = api.get("/api/gamification/badges")
    assert anonymous.status == 200
    slugs = {b["slug"] for b in anonymous.json["items"]}
    assert {"first-read", "ten-reads", "first-series", "streak-7", "perfect-quiz", "first-referral"} <= slugs
    assert {b["earned"] for b in anonymous.json["items"]} == {None}
    alice = users.create()
    read(api, alice, make_post(stack, "one"))
    mine = api.get("/api/gamification/badges", token=alice.token).json["items"]
    assert {b["slug"] for b in mine if b["earned"]} == {"first-read"}
    assert all(b["awarded_at"] for b in mine if b["earned"])


def test_milestones_reached_and_next_with_progress(api, users, stack):
    alice = users.create()
    for n in range(3):
        read(api, alice, make_post(stack, f"post-{n}"))
    reply = api.get("/api/gamification/milestones", token=alice.token)
    assert reply.status == 200
    items = {m["metric"]: m for m in reply.json["items"]}
    assert items["posts_read"] | {"label": ""} == {"metric": "posts_read", "label": "", "current": 3,
                                                    "reached": [1], "next": 5, "remaining": 2,
                                                    "progress": 50}
    assert items["xp"]["current"] == 30 and items["xp"]["reached"] == [] and items["xp"]["next"] == 100
    assert api.get("/api/gamification/milestones").status == 401


def test_check_in_is_idempotent_per_local_day_across_time_zones(api, users, stack, live_server):
    tokyo, london = users.create(), users.create()
    assert api.put("/api/gamification/timezone", {"timezone": "Asia/Tokyo"}, token=tokyo.token).status == 200
    with clock_at(datetime(2026, 3, 2, 23, 30, tzinfo=timezone.utc)) as clock:
        with ThreadPoolExecutor(max_workers=4) as pool:  # double clicks: one counts
            raced = list(pool.map(lambda _: post_json(live_server, "/api/gamification/streak/check-in",
                                                      tokyo.token)[1], range(6)))
        assert sorted(r["counted"] for r in raced) == [False] * 5 + [True]
        assert {r["today"] for r in raced} == {"2026-03-03"}  # already Tuesday morning in Tokyo
        assert check_in(api, london)["today"] == "2026-03-02"
        clock.advance(hours=1)  # 00:30 UTC: a new day in London, the same morning in Tokyo
        assert check_in(api, tokyo)["counted"] is False
        again = check_in(api, london)
        assert again["counted"] is True and again["current"] == 2 and again["xp_awarded"] == 5
        assert check_in(api, london)["counted"] is False
        assert me(api, tokyo)["xp"] == 5 and me(api, london)["xp"] == 10
        streak = api.get("/api/gamification/streak", token=tokyo.token).json
        assert (streak["current"], streak["longest"], streak["timezone"]) == (1, 1, "Asia/Tokyo")


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../../etc/passwd", "utc+1", 7])
def test_unknown_time_zones_are_422(api, users, name):
    alice = users.create()
    reply = api.put("/api/gamification/timezone", {"timezone": name}, token=alice.token)
    assert reply.status == 422 and reply.json["detail"][0]["loc"] == ["body", "timezone"]


def test_one_freeze_per_week_bridges_a_single_missed_day(api, users):
    alice = users.create()
    with clock_at(datetime(2026, 3, 2, 12, tzinfo=timezone.utc)) as clock:  # Monday, ISO week 10
        check_in(api, alice)
        clock.advance(days=1)
        assert check_in(api, alice)["current"] == 2
        clock.advance(days=2)  # Wednesday missed
        thursday = check_in(api, alice)
        assert (thursday["current"], thursday["froze"], thursday["frozen_on"]) == (3, True, "2026-03-04")
        assert thursday["freeze_available"] is False
        clock.advance(days=2)  # Friday missed: this week's freeze is spent
        saturday = check_in(api, alice)
        assert (saturday["current"], saturday["froze"], saturday["longest"]) == (1, False, 3)
        clock.advance(days=1)
        assert check_in(api, alice)["current"] == 2  # Sunday
        clock.advance(days=2)  # Monday missed: a new week, a new freeze
        tuesday = check_in(api, alice)
        assert (tuesday["current"], tuesday["froze"]) == (3, True)
        clock.advance(days=3)  # two missed days are never bridged
        assert api.get("/api/gamification/streak", token=alice.token).json["current"] == 0
        assert check_in(api, alice)["current"] == 1


def test_a_seven_day_streak_earns_its_badge(api, users):
    alice = users.create()
    with clock_at(datetime(2026, 3, 2, 8, tzinfo=timezone.utc)) as clock:
        for _ in range(7):
            check_in(api, alice)
            clock.advance(days=1)
        profile = me(api, alice)
    assert profile["longest_streak"] == 7 and "streak-7" in {b["slug"] for b in profile["badges"]}
    assert badge_notifications(api, alice) == ["Badge earned: One-week streak"]


def _three_players(api, users, stack):
    """XP 20, 20 and 10 (registered in that order) and one user without XP."""
    players = [users.create(name=name) for name in ("Ann", "Ben", "Cat", "Dan")]
    posts = [make_post(stack, f"post-{n}") for n in range(2)]
    for player, reads in zip(players, (2, 2, 1, 0), strict=True):
        for post in posts[:reads]:
            read(api, player, post)
    return players


def test_leaderboard_from_redis_with_competition_ranks(api, users, stack, drain):
    ann, ben, cat, dan = _three_players(api, users, stack)
    drain()
    top = board(api)
    assert top["source"] == "redis"
    assert [(e["name"], e["xp"], e["rank"]) for e in top["items"]] == [
        ("Ben", 20, 1), ("Ann", 20, 1), ("Cat", 10, 3)]
    assert [e["user_id"] for e in board(api, limit=2)["items"]] == [ben.id, ann.id]
    assert [me(api, p)["rank"] for p in (ann, ben, cat, dan)] == [1, 1, 3, 4]
    assert redis().zscore("lb:xp:all", f"{cat.id:019d}") == 10
    for bad in ("limit=0", "limit=101", "period=month"):
        assert api.get(f"/api/gamification/leaderboard?{bad}").status == 422


def test_with_redis_down_postgres_answers_the_same(api, users, stack, drain, settings_env):
    players = _three_players(api, users, stack)
    drain()
    from_redis = board(api)
    ranks = [me(api, p)["rank"] for p in players]
    settings_env(REDIS_URL=f"redis://127.0.0.1:{dead_port()}/0")
    from_postgres = board(api)
    assert from_postgres["source"] == "postgres"
    assert from_postgres["items"] == from_redis["items"]
    assert [me(api, p)["rank"] for p in players] == ranks
    health = api.get("/api/health")
    assert health.status == 200 and health.json["status"] == "degraded"
    read(api, players[3], make_post(stack, "late"))  # awarding still works; the sync gives up quietly
    drain()
    assert ("Dan", 10) in [(e["name"], e["xp"]) for e in board(api)["items"]]


def test_weekly_board_rolls_over_with_the_iso_week(api, users, drain):
    ann, ben = users.create(name="Ann"), users.create(name="Ben")
    # The coming Sunday, 23:00 UTC: weekly keys expire at real times, so the week must not be past.
    today = datetime.now(timezone.utc).date()
    sunday = datetime.combine(today + timedelta(days=6 - today.weekday() + 7), time(23), timezone.utc)
    iso_year, iso_week, _ = sunday.isocalendar()
    with clock_at(sunday) as clock:
        check_in(api, ann)
        check_in(api, ben)
        drain()
        week = board(api, "week")
        assert (week["source"], [e["xp"] for e in week["items"]]) == ("redis", [5, 5])
        clock.advance(hours=2)  # Monday: the next ISO week
        assert board(api, "week")["items"] == []
        check_in(api, ann)
        drain()
        week = board(api, "week")
        assert [(e["name"], e["xp"], e["rank"]) for e in week["items"]] == [("Ann", 5, 1)]
        assert [(e["name"], e["xp"]) for e in board(api)["items"]] == [("Ann", 10), ("Ben", 5)]
    # The finished week's key expires a week after the week ended.
    expires = sunday + timedelta(hours=1, days=7)
    ttl = redis().ttl(f"lb:xp:week:{iso_year}-W{iso_week:02d}")
    assert abs(ttl - (expires - datetime.now(timezone.utc)).total_seconds()) < 300


def test_reconcile_rebuilds_a_board_that_drifted(api, users, stack, drain):
    players = _three_players(api, users, stack)
    drain()
    expected = board(api)["items"]
    store = redis()
    store.zadd("lb:xp:all", {f"{players[2].id:019d}": 999, f"{10**9:019d}": 5})
    store.zrem("lb:xp:all", f"{players[0].id:019d}")
    assert board(api)["items"] != expected
    admin = users.admin()
    run = api.post("/api/admin/tasks/leaderboard_reconcile/run", token=admin.token)
    assert run.status == 200, run.text
    assert run.json["outcome"] == "succeeded" and run.json["counts"]["all_members"] == 3
    assert board(api)["items"] == expected
    assert store.keys("lb:xp:*rebuild*") == []
    assert store.ttl("lb:xp:all") == -1  # the all-time board never expires


def test_a_missing_board_is_rebuilt_whole_not_started_partial(api, users, stack, drain):
    players = _three_players(api, users, stack)
    drain()
    redis().flushdb()  # Redis restarted empty
    assert board(api)["source"] == "postgres"
    read(api, players[3], make_post(stack, "after-restart"))
    drain()
    rebuilt = board(api)
    assert rebuilt["source"] == "redis" and len(rebuilt["items"]) == 4


def test_the_demo_readers_have_levels_badges_streaks_and_a_board(api, drain):
    from infra.local import demo

    demo.load()
    drain()
    top = board(api)
    assert top["source"] == "redis"
    assert [e["name"] for e in top["items"]] == ["Alice Reader", "Bob Builder", "Carol Coder"]
    login = api.post("/api/auth/login", {"email": "alice@example.com", "password": demo.DEMO_PASSWORD}).json
    alice = api.get("/api/gamification/me", token=login["access_token"]).json
    assert alice["streak"] == 10 and alice["level"] >= 2 and alice["rank"] == 1
    assert {"first-read", "ten-reads", "streak-7", "first-referral"} <= {b["slug"] for b in alice["badges"]}
    assert demo.load()["XP awards added"] == 0  # a second run changes nothing
