"""Rate limiting per route group with the ``limits`` library (moving window, Redis storage).

Anonymous callers are counted per client IP, signed-in callers per user. ``auth`` (login and
register) is stricter and always per IP. When Redis is unreachable the limiter fails open: the
request goes through, the failure is logged, and ``/api/health`` reports ``degraded``.
"""
from __future__ import annotations

import functools
import math
import threading
import time
from typing import Any

from layers.core.errors import RateLimited
from layers.core.logging import get_logger
from layers.core.settings import get_settings

log = get_logger("http.ratelimit")

# Route groups with their own limit, keyed to the setting that holds it (in `limits` notation).
_GROUP_LIMITS = {"auth": "rate_limit_auth", "rag": "rate_limit_rag", "code": "rate_limit_code"}
# Groups counted per IP even for signed-in callers (credential stuffing comes from one place).
_PER_IP_GROUPS = frozenset({"auth"})
# Groups never limited: Stripe retries webhooks on its own schedule, health is for probes.
EXEMPT_GROUPS = frozenset({"stripe", "health"})

_state = threading.local()
_last_failure = {"at": 0.0}


@functools.lru_cache(maxsize=1)
def _limiter() -> Any:
    from limits import storage, strategies

    from layers.core import cache

    # The same fail-fast connections as every other Redis client: a dead Redis costs one timeout
    # per back-off window, not one per request.
    backend = storage.storage_from_string(get_settings().redis_url, **cache.client_options())
    return strategies.MovingWindowRateLimiter(backend)


@functools.lru_cache(maxsize=32)
def _parse(limit: str) -> Any:
    from limits import parse

    return parse(limit)


def reset() -> None:
    _limiter.cache_clear()
    _parse.cache_clear()
    _last_failure["at"] = 0.0


def limit_for(group: str, user_id: int | None) -> str:
    settings = get_settings()
    if group in _GROUP_LIMITS:
        limit: str = getattr(settings, _GROUP_LIMITS[group])
        return limit
    return settings.rate_limit_user if user_id else settings.rate_limit_anon


def check(group: str, user_id: int | None, client_ip: str) -> None:
    """Count one hit for this caller in ``group``; raise ``RateLimited`` past the limit."""
    if group in EXEMPT_GROUPS:
        return
    item = _parse(limit_for(group, user_id))
    who = f"ip:{client_ip}" if user_id is None or group in _PER_IP_GROUPS else f"user:{user_id}"
    try:
        limiter = _limiter()
        if limiter.hit(item, group, who):
            return
        reset_at, _remaining = limiter.get_window_stats(item, group, who)
    except Exception as exc:  # noqa: BLE001 - any storage failure: fail open
        _last_failure["at"] = time.time()
        log.warning("rate limiter unavailable, failing open", extra={"error": type(exc).__name__})
        return
    retry_after = max(1, math.ceil(reset_at - time.time()))
    raise RateLimited(f"rate limit exceeded: {item}", retry_after)


def recently_failed(window_seconds: float = 5.0) -> bool:
    """Whether the limiter failed open within the window (reported by the health check)."""
    return time.time() - _last_failure["at"] < window_seconds
