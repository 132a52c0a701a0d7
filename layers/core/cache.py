"""The Redis client, created lazily and shared by rate limiting, OAuth state and caches.

Redis is never the source of truth: every caller handles ``RedisError`` by degrading (rate
limits fail open, caches miss, the leaderboard falls back to PostgreSQL).
"""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redis import Redis


@functools.lru_cache(maxsize=1)
def get_redis() -> Redis:
    import redis  # lazy: ~160 ms to import

    from layers.core.settings import get_settings

    return redis.Redis.from_url(
        get_settings().redis_url,
        socket_connect_timeout=0.5,
        socket_timeout=0.5,
        decode_responses=True,
        health_check_interval=30,
    )


def reset_redis() -> None:
    get_redis.cache_clear()


def ping() -> bool:
    try:
        return bool(get_redis().ping())
    except Exception:  # noqa: BLE001 - health reporting: any failure means "down"
        return False
