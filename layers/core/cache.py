"""The Redis client, created lazily and shared by rate limiting, OAuth state and caches.

Redis is never the source of truth: every caller handles ``RedisError`` by degrading (rate
limits fail open, caches miss, the leaderboard falls back to PostgreSQL).

A Redis that is down must not cost every request a timeout. Every connection made here goes
through a circuit breaker: the first connection or command that fails trips it, and for the
next ``BACKOFF_SECONDS`` every command fails at once instead of waiting on the network; after
that one attempt goes through, and success closes the breaker again. redis-py's own retries are
off for the same reason (three retries of a dead server are three timeouts).
"""
from __future__ import annotations

import functools
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redis import Redis

BACKOFF_SECONDS = 2.0


class Breaker:
    def __init__(self, backoff: float = BACKOFF_SECONDS) -> None:
        self._backoff = backoff
        self._open_until = 0.0
        self._lock = threading.Lock()

    def allows(self) -> bool:
        return time.monotonic() >= self._open_until

    def trip(self) -> None:
        with self._lock:
            self._open_until = time.monotonic() + self._backoff

    def close(self) -> None:
        with self._lock:
            self._open_until = 0.0

    @property
    def is_open(self) -> bool:
        return not self.allows()


BREAKER = Breaker()


@functools.lru_cache(maxsize=1)
def connection_class() -> type:
    """A redis-py connection that fails fast while the breaker is open and trips it on failure."""
    from redis.connection import Connection
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    failures = (RedisConnectionError, RedisTimeoutError, OSError)

    class FailFastConnection(Connection):
        def connect_check_health(self, *args: Any, **kwargs: Any) -> Any:
            if self._sock is None and not BREAKER.allows():
                raise RedisConnectionError("Redis is unavailable (backing off)")
            try:
                return super().connect_check_health(*args, **kwargs)
            except failures:
                BREAKER.trip()
                raise

        def send_packed_command(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().send_packed_command(*args, **kwargs)  # type: ignore[no-untyped-call]
            except failures:
                BREAKER.trip()
                raise

        def read_response(self, *args: Any, **kwargs: Any) -> Any:
            try:
                response = super().read_response(*args, **kwargs)
            except failures:
                BREAKER.trip()
                raise
            BREAKER.close()
            return response

    return FailFastConnection


@functools.lru_cache(maxsize=1)
def get_redis() -> Redis:
    """The process's one Redis client (the rate limiter's script runs on it too)."""
    import redis  # lazy: ~160 ms to import
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    from layers.core.settings import get_settings

    client: Redis = redis.Redis.from_url(
        get_settings().redis_url, decode_responses=True, socket_connect_timeout=0.5, socket_timeout=0.5,
        connection_class=connection_class(), retry=Retry(NoBackoff(), 0), health_check_interval=30)
    return client


def reset_redis() -> None:
    get_redis.cache_clear()
    BREAKER.close()


def ping() -> bool:
    try:
        return bool(get_redis().ping())
    except Exception:  # noqa: BLE001 - health reporting: any failure means "down"
        return False
