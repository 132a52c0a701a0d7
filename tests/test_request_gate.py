"""Token revocation and rate limiting cost a signed-in request one Redis round trip, and keep the
``limits`` library's moving window (same keys, same counts, same reset time)."""
from __future__ import annotations

import time

import pytest


@pytest.fixture
def round_trips(stack):
    """``count = round_trips()`` (after any settings change): the shared client's sends from then on.

    One ``send_packed_command`` is one round trip: a pipeline sends all its commands at once.
    """
    def start() -> list[str]:
        from layers.core.cache import get_redis

        sent: list[str] = []
        pool = get_redis().connection_pool

        class Counting(pool.connection_class):
            def send_packed_command(self, command, *args, **kwargs):
                chunks = [command] if isinstance(command, (bytes, str)) else command
                first = chunks[0] if isinstance(chunks[0], bytes) else chunks[0].encode()
                sent.append(first.split(b"\r\n")[2].decode().lower())  # *N, $len, NAME
                return super().send_packed_command(command, *args, **kwargs)

        pool.connection_class = Counting
        pool.disconnect()
        pool.reset()  # new connections, of the counting class
        return sent

    return start


@pytest.mark.parametrize("path", ["/api/settings", "/api/bookmarks", "/api/auth/me"])
def test_a_signed_in_request_makes_one_redis_call(api, users, round_trips, path):
    alice = users.create()
    sent = round_trips()
    assert api.get(path, token=alice.token).status == 200  # connects, loads the script once
    sent.clear()
    assert api.get(path, token=alice.token).status == 200
    assert sent == ["evalsha"]


def test_an_anonymous_request_makes_one_redis_call_and_an_exempt_one_none(api, round_trips):
    sent = round_trips()
    api.get("/api/posts")
    sent.clear()
    assert api.get("/api/posts").status == 200
    assert sent == ["evalsha"]
    sent.clear()
    api.get("/api/health")
    assert "evalsha" not in sent


def test_a_limited_request_still_makes_one_call(api, users, round_trips, settings_env):
    settings_env(RATE_LIMIT_USER="1/minute")
    alice = users.create()
    sent = round_trips()
    assert api.get("/api/settings", token=alice.token).status == 200
    sent.clear()
    limited = api.get("/api/settings", token=alice.token)
    assert limited.status == 429 and 1 <= int(limited.header("Retry-After")) <= 60
    assert sent == ["evalsha"]


def test_the_window_is_the_limits_librarys(api, users, stack, settings_env):
    """The library, reading the same Redis, sees the hits the gate counted and the same reset."""
    from limits import parse, storage, strategies

    settings_env(RATE_LIMIT_USER="3/minute")
    alice = users.create()
    limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(stack["REDIS_URL"]))
    item = parse("3/minute")
    for _ in range(2):
        assert api.get("/api/settings", token=alice.token).status == 200
    assert limiter.get_window_stats(item, "settings", f"user:{alice.id}").remaining == 1
    assert limiter.hit(item, "settings", f"user:{alice.id}")  # the library's hit counts for us
    limited = api.get("/api/settings", token=alice.token)
    assert limited.status == 429
    reset_at = limiter.get_window_stats(item, "settings", f"user:{alice.id}").reset_time
    assert abs(int(limited.header("Retry-After")) - (reset_at - time.time())) <= 2


def test_a_revoked_token_is_refused_and_counts_no_hit(api, users, stack, round_trips):
    from limits import parse, storage, strategies

    alice = users.create()
    sent = round_trips()
    assert api.post("/api/auth/logout", {"refresh_token": alice.refresh_token}, token=alice.token).status == 204
    sent.clear()
    refused = api.get("/api/settings", token=alice.token)
    assert refused.status == 401 and refused.json["detail"] == "token revoked"
    assert sent == ["evalsha"]
    limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(stack["REDIS_URL"]))
    item = parse("100000/hour")  # the test session's RATE_LIMIT_USER
    assert limiter.get_window_stats(item, "settings", f"user:{alice.id}").remaining == 100000


def test_the_gate_fails_open_when_redis_is_down(api, users, settings_env):
    alice = users.create()
    settings_env(REDIS_URL="redis://127.0.0.1:1/0", RATE_LIMIT_USER="1/minute")
    assert [api.get("/api/settings", token=alice.token).status for _ in range(3)] == [200, 200, 200]
    assert api.get("/api/health").json["rate_limiter"] == "failing_open"


def test_the_limit_notation_is_read_as_the_limits_library_reads_it():
    import pytest
    from limits import parse

    from layers.http.ratelimit import _parse

    for notation in ("100/hour", "5 per minute", "10/2 hours", "1000/DAY", "3/second;10/minute",
                     "7 per 3 days", "1/month", "2/year", " 4 / second "):
        mine, theirs = _parse(notation), parse(notation)
        assert mine.key_for("g", "user:1") == theirs.key_for("g", "user:1"), notation
        assert (mine.amount, mine.get_expiry(), str(mine)) == (theirs.amount, theirs.get_expiry(), str(theirs))
    for wrong in ("", "hour", "10/fortnight", "ten/hour"):
        with pytest.raises(ValueError):
            _parse(wrong)
