"""Referrals through HTTP: one code per user, deduplicated visits, rewarded sign-ups, top referrers."""
from datetime import datetime, timezone

import pytest

from tests.support.accounts import PASSWORD
from tests.support.gamification import clock_at
from tests.support.reader import sql


def code_of(api, account):
    reply = api.post("/api/referrals/code", token=account.token)
    assert reply.status == 200, reply.text
    return reply.json


def register(api, email, referral_code=None):
    body = {"email": email, "password": PASSWORD, "name": email.split("@")[0].title()}
    if referral_code is not None:
        body["referral_code"] = referral_code
    reply = api.post("/api/auth/register", body)
    assert reply.status == 201, reply.text
    return reply.json["id"]


def track(api, code, token=None, event="visit"):
    return api.post("/api/referrals/track", {"code": code, "event": event}, token=token)


def xp_of(api, account):
    return api.get("/api/gamification/me", token=account.token).json["xp"]


def test_the_code_is_created_once(api, users):
    alice, bob = users.create(), users.create()
    first = code_of(api, alice)
    assert first["visits"] == first["signups"] == 0 and first["reward_xp"] == 50
    assert code_of(api, alice)["code"] == first["code"]
    assert code_of(api, bob)["code"] != first["code"]
    assert api.post("/api/referrals/code").status == 401


def test_visits_count_once_per_client_per_hour(api, users):
    alice, bob = users.create(), users.create()
    code = code_of(api, alice)["code"]
    with clock_at(datetime(2026, 5, 11, 9, 10, tzinfo=timezone.utc)) as clock:
        assert track(api, code).json == {"recorded": True}
        assert track(api, code).status == 202 and track(api, code).json == {"recorded": False}
        assert track(api, code.lower(), token=bob.token).json == {"recorded": True}  # another client
        assert track(api, code, token=bob.token).json == {"recorded": False}
        assert track(api, code, token=alice.token).json == {"recorded": False}  # one's own link
        assert track(api, code, event="signup").json == {"recorded": False}  # only registration counts
        clock.advance(minutes=55)  # 10:05, the next hour
        assert track(api, code).json == {"recorded": True}
    assert code_of(api, alice)["visits"] == 3 and code_of(api, alice)["signups"] == 0


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": "A" * 65}, {"code": "ABC", "event": "click"},
                                  {"code": "ABC", "extra": 1}, {"code": 12345}])
def test_bad_track_bodies_are_422(api, body):
    assert api.post("/api/referrals/track", body).status == 422


def test_an_unknown_code_is_404_on_track(api):
    reply = track(api, "NOSUCHCODE")
    assert reply.status == 404 and reply.json == {"detail": "referral code not found"}


def test_a_sign_up_rewards_the_referrer_once(api, users, stack):
    alice = users.create()
    code = code_of(api, alice)["code"]
    friend = register(api, "friend@example.com", code)
    assert sql(stack, "SELECT referred_by FROM users WHERE id = %s", (friend,))[0]["referred_by"] == alice.id
    assert xp_of(api, alice) == 50
    assert code_of(api, alice)["signups"] == 1
    badges = api.get("/api/gamification/me", token=alice.token).json["badges"]
    assert [b["slug"] for b in badges] == ["first-referral"]
    notes = api.get("/api/notifications", token=alice.token).json["items"]
    assert [n["title"] for n in notes if n["type"] == "badge"] == ["Badge earned: Ambassador"]
    # The same referred user cannot be credited twice, whatever is replayed.
    from layers.core.uow import unit_of_work
    from layers.services import referrals

    with unit_of_work() as uow:
        assert referrals.record_signup(uow.conn, code, friend) is False
    assert xp_of(api, alice) == 50


def test_self_referral_and_unknown_codes_reward_nothing_and_do_not_block(api, users, stack):
    alice = users.create()
    code = code_of(api, alice)["code"]
    register(api, "stranger@example.com", "NOSUCHCODE")
    register(api, "blank@example.com", "   x  ")
    from layers.core.uow import unit_of_work
    from layers.services import referrals

    with unit_of_work() as uow:  # a user presenting their own code
        assert referrals.record_signup(uow.conn, code, alice.id) is False
    assert xp_of(api, alice) == 0 and code_of(api, alice)["signups"] == 0
    assert sql(stack, "SELECT count(*) AS n FROM users WHERE referred_by IS NOT NULL")[0]["n"] == 0


def test_top_referrers_with_shared_ranks(api, users):
    ann, ben, cat = (users.create(name=n) for n in ("Ann", "Ben", "Cat"))
    codes = {a.id: code_of(api, a)["code"] for a in (ann, ben, cat)}
    for n, referrer in enumerate([ann, ann, ben, ben, cat]):
        register(api, f"friend{n}@example.com", codes[referrer.id])
    reply = api.get("/api/referrals/leaderboard?limit=10", token=ann.token)
    assert reply.status == 200
    assert [(i["name"], i["referrals"], i["rank"]) for i in reply.json["items"]] == [
        ("Ann", 2, 1), ("Ben", 2, 1), ("Cat", 1, 3)]
    assert len(api.get("/api/referrals/leaderboard?limit=1", token=ann.token).json["items"]) == 1
    assert api.get("/api/referrals/leaderboard?limit=0", token=ann.token).status == 422
    assert api.get("/api/referrals/leaderboard").status == 401
