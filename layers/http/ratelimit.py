"""Rate limiting per route group (moving window) and token revocation, in one Redis round trip.

Anonymous callers are counted per client IP, signed-in callers per user. ``auth`` (login and
register) is stricter and always per IP. The ``limits`` library parses the limits (its notation
in the settings) and names the keys — here ``Limit`` does both the same way, since importing the
library costs a cold start ~60 ms for a few lines of parsing (``tests/test_request_gate.py``
holds the two equal); the moving window itself runs in ``_GATE``, a Lua script
holding the same algorithm and key layout as ``limits``' Redis storage (a list of hit timestamps
under ``LIMITS:LIMITER/<group>/<who>/<amount>/<multiples>/<granularity>``, newest first, trimmed
to the limit), plus the revocation lookup of the caller's access token. A signed-in request thus
costs one ``EVALSHA`` on the shared client of ``layers.core.cache``, not a revocation ``EXISTS``
followed by the library's script on a second client (and, past the limit, a third call for the
window's start).

When Redis is unreachable the gate fails open: the request goes through, the token counts as not
revoked (it still expires within 15 minutes, and deactivation is checked in PostgreSQL), the
failure is logged, and ``/api/health`` reports ``degraded``. The client's circuit breaker keeps a
dead Redis from costing every request a timeout.
"""
from __future__ import annotations

import functools
import math
import re
import time
from dataclasses import dataclass
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
_KEY_PREFIX = "LIMITS:"  # limits.storage.RedisStorage.PREFIX

# KEYS[1]: the token's revocation key or "" (no token); KEYS[2]: the window's list or "" (exempt).
# ARGV: now (epoch seconds), the limit, the window in seconds.
# Returns {1} revoked (nothing counted), {0, 1} admitted (hit counted), {0, 0, oldest} limited.
# The window part is limits' acquire_moving_window.lua for one hit.
_GATE = """
if KEYS[1] ~= '' and redis.call('exists', KEYS[1]) == 1 then
    return {1}
end
if KEYS[2] == '' then
    return {0, 1}
end
local timestamp = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local expiry = tonumber(ARGV[3])
local entry = redis.call('lindex', KEYS[2], limit - 1)
if entry and tonumber(entry) >= timestamp - expiry then
    return {0, 0, entry}
end
redis.call('lpush', KEYS[2], timestamp)
redis.call('ltrim', KEYS[2], 0, limit - 1)
redis.call('expire', KEYS[2], expiry)
return {0, 1}
"""

_last_failure = {"at": 0.0}


@dataclass(frozen=True)
class Verdict:
    """What the gate decided; the caller raises in its own order (401 before 403 before 429)."""

    revoked: bool = False
    limit: str = ""
    retry_after: int = 0  # > 0: over the limit

    def raise_if_limited(self) -> None:
        if self.retry_after:
            raise RateLimited(f"rate limit exceeded: {self.limit}", self.retry_after)


ADMITTED = Verdict()


@functools.lru_cache(maxsize=1)
def _script() -> Any:
    from layers.core.cache import get_redis

    # The Script object only carries the text and its SHA; each call names the current client.
    return get_redis().register_script(_GATE)


# limits' granularities (seconds) and notation: "100/hour", "5 per minute", "10/2 hours";
# several limits separated by , ; or | (the first one counts, as limits.parse takes it).
_GRANULARITIES = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "month": 2592000, "year": 31104000}
_NOTATION = re.compile(r"\s*([0-9]+)\s*(?:/|\s*per\s*)\s*([0-9]+)?\s*([a-z]+)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Limit:
    """One moving-window limit, as ``limits.RateLimitItem`` names it and its keys."""

    amount: int
    multiples: int
    granularity: str

    def key_for(self, *identifiers: str) -> str:
        return "/".join(["LIMITER", *identifiers, str(self.amount), str(self.multiples), self.granularity])

    def get_expiry(self) -> int:
        return _GRANULARITIES[self.granularity] * self.multiples

    def __str__(self) -> str:
        return f"{self.amount} per {self.multiples} {self.granularity}"


@functools.lru_cache(maxsize=32)
def _parse(notation: str) -> Limit:
    limits = []
    for part in re.split(r"[,;|]", notation):
        match = _NOTATION.fullmatch(part)
        name = match.group(3).lower().removesuffix("s") if match else ""
        if match is None or name not in _GRANULARITIES:
            raise ValueError(f"couldn't parse rate limit string {notation!r}")
        limits.append(Limit(int(match.group(1)), int(match.group(2) or 1), name))
    return limits[0]


def reset() -> None:
    _script.cache_clear()
    _parse.cache_clear()
    _last_failure["at"] = 0.0


def limit_for(group: str, user_id: int | None) -> str:
    settings = get_settings()
    if group in _GROUP_LIMITS:
        limit: str = getattr(settings, _GROUP_LIMITS[group])
        return limit
    return settings.rate_limit_user if user_id else settings.rate_limit_anon


def gate(group: str, user_id: int | None, client_ip: str, revocation_key: str | None = None) -> Verdict:
    """Count one hit for this caller in ``group`` and look up the token's revocation, together.

    ``revocation_key``: the Redis key that marks the caller's access token revoked (None without
    a token). A revoked token counts no hit.
    """
    exempt = group in EXEMPT_GROUPS
    if exempt and revocation_key is None:
        return ADMITTED
    item = None if exempt else _parse(limit_for(group, user_id))
    who = f"ip:{client_ip}" if user_id is None or group in _PER_IP_GROUPS else f"user:{user_id}"
    window_key = "" if item is None else _KEY_PREFIX + item.key_for(group, who)
    expiry = 0 if item is None else item.get_expiry()
    now = time.time()
    try:
        from layers.core.cache import get_redis

        reply = _script()(keys=[revocation_key or "", window_key],
                          args=[now, item.amount if item else 0, expiry], client=get_redis())
    except Exception as exc:  # noqa: BLE001 - any storage failure: fail open
        _last_failure["at"] = time.time()
        log.warning("rate limiter unavailable, failing open", extra={"error": type(exc).__name__})
        return ADMITTED
    if int(reply[0]):
        return Verdict(revoked=True)
    if int(reply[1]):
        return ADMITTED
    retry_after = max(1, math.ceil(float(reply[2]) + expiry - time.time()))
    return Verdict(limit=str(item), retry_after=retry_after)


def check(group: str, user_id: int | None, client_ip: str) -> None:
    """Count one hit for this caller in ``group``; raise ``RateLimited`` past the limit."""
    gate(group, user_id, client_ip).raise_if_limited()


def recently_failed(window_seconds: float = 5.0) -> bool:
    """Whether the limiter failed open within the window (reported by the health check)."""
    return time.time() - _last_failure["at"] < window_seconds
