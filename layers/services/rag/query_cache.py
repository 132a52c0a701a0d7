"""Query vectors, cached in Redis for five minutes (Redis's third role, after rate limits and OAuth state).

A popular query is embedded once per five minutes instead of once per request. The key holds
the model id, so a change of model never serves an old model's vector. Redis is never needed:
when it is down the lookup misses, the vector is computed, and nothing is written.
"""
from __future__ import annotations

import base64
import hashlib
import struct
from typing import Any

from layers.core.errors import DependencyUnavailable
from layers.core.logging import get_logger
from layers.core.ports import Embeddings

log = get_logger("rag.query_cache")
TTL_SECONDS = 300
_PREFIX = "qvec"


def cache_key(model_id: str, text: str) -> str:
    digest = hashlib.sha256(" ".join(text.split()).encode()).hexdigest()
    return f"{_PREFIX}:{model_id}:{digest}"


def query_vector(redis: Any, embeddings: Embeddings, text: str) -> list[float]:
    """The embedding of ``text``, from the cache when it is there."""
    key = cache_key(embeddings.model_id, text)
    reachable = True
    try:
        cached = redis.get(key)
    except Exception as exc:  # noqa: BLE001 - any Redis failure is a miss
        log.warning("query cache unavailable", extra={"error": type(exc).__name__})
        cached, reachable = None, False
    if cached:
        return _decode(cached)
    vector = embeddings.embed([" ".join(text.split())])[0]
    if reachable:
        try:
            redis.set(key, _encode(vector), ex=TTL_SECONDS)
        except Exception as exc:  # noqa: BLE001 - a failed write only costs the next lookup
            log.warning("query cache write failed", extra={"error": type(exc).__name__})
    return vector


def query_vector_or_none(redis: Any, embeddings: Embeddings, text: str) -> list[float] | None:
    """``query_vector``, or None when the embedding provider is unavailable: search then ranks by
    words alone instead of failing."""
    try:
        return query_vector(redis, embeddings, text)
    except DependencyUnavailable as exc:
        log.warning("searching without query vectors", extra={"error": str(exc)})
        return None


def _encode(vector: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()


def _decode(value: str | bytes) -> list[float]:
    raw = base64.b64decode(value)
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))
