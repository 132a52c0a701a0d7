"""Redis stalled or gone: requests still succeed, and a dead Redis costs one timeout per back-off
window instead of one per request; health says so and recovers."""
from __future__ import annotations

import socket
import threading
import time

import pytest


class BlackHole:
    """Accepts connections and never answers: a Redis that is paused (the worst case: every
    command would wait for its socket timeout)."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.accepted = 0
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self.accepted += 1
            self._held.append(conn)

    def close(self) -> None:
        self._server.close()
        for conn in self._held:
            conn.close()


@pytest.fixture
def stalled_redis(settings_env):
    hole = BlackHole()
    settings_env(REDIS_URL=f"redis://127.0.0.1:{hole.port}/0")
    yield hole
    hole.close()


def test_a_stalled_redis_is_skipped_after_the_first_timeout(api, users, stack, stalled_redis, settings_env):
    alice = users.create()
    stalled_redis.accepted = 0
    for _ in range(10):
        assert api.get("/api/settings", token=alice.token).status == 200  # fails open
    # Rate limiting and token revocation both use Redis: without the back-off each of the ten
    # requests would open (and wait on) new connections.
    assert stalled_redis.accepted <= 2


def _redis_state(api) -> tuple[str, str]:
    health = api.get("/api/health").json
    return health["redis"], health["rate_limiter"]


def test_health_is_degraded_while_redis_is_down_and_ok_soon_after_it_is_back(api, stack, settings_env):
    from layers.core import cache

    settings_env(REDIS_URL="redis://127.0.0.1:1/0")
    reply = api.get("/api/health")
    assert reply.status == 200 and reply.json["status"] == "degraded" and reply.json["redis"] == "down"
    settings_env(REDIS_URL=stack["REDIS_URL"])
    cache.BREAKER.close()
    deadline = time.monotonic() + 10
    while _redis_state(api) != ("ok", "ok"):
        assert time.monotonic() < deadline, "health did not return to ok after Redis came back"
        time.sleep(0.5)
