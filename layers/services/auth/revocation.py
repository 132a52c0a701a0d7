"""Access tokens revoked before they expire (logout), remembered in Redis until their ``exp``.

Redis being down makes this fail open: the token stays valid for at most its 15 minutes, while
deactivation (checked in PostgreSQL on every request) still takes effect at once.
"""
from __future__ import annotations

import time

from layers.core.cache import get_redis
from layers.core.logging import get_logger

log = get_logger("auth.revocation")
_PREFIX = "revoked-jti:"


def revoke(jti: str, exp: int) -> None:
    ttl = int(exp - time.time()) + 5
    if ttl <= 0:
        return
    try:
        get_redis().set(_PREFIX + jti, "1", ex=ttl)
    except Exception:  # noqa: BLE001 - see module docstring
        log.warning("could not record access-token revocation")


def key(jti: str) -> str:
    """The Redis key marking this token revoked (the request path reads it in the rate-limit gate)."""
    return _PREFIX + jti


def is_revoked(jti: str) -> bool:
    try:
        return bool(get_redis().exists(_PREFIX + jti))
    except Exception:  # noqa: BLE001 - see module docstring
        return False
