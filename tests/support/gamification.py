"""Helpers for the gamification and referral tests: reading posts, the clock, Redis boards."""
from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any


def read(api: Any, account: Any, post_id: int) -> Any:
    reply = api.post(f"/api/progress/{post_id}/read", {}, token=account.token)
    assert reply.status == 200, reply.text
    return reply.json


@contextmanager
def clock_at(at: datetime) -> Iterator[Any]:
    """Every ``clock`` the app asks for reads this settable time inside the block."""
    from layers import bootstrap
    from layers.adapters.clock import FixedClock

    clock = FixedClock(at)
    with bootstrap.override(clock=clock):
        yield clock


def dead_port() -> int:
    """A loopback port nothing listens on: connections to it are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis() -> Any:
    from layers.core.cache import get_redis

    return get_redis()


def post_json(base: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
    """One real HTTP request to the local server (for requests raced from several threads)."""
    request = urllib.request.Request(base + path, data=json.dumps(body or {}).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return reply.status, json.loads(reply.read())
