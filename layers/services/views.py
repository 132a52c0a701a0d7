"""Post views, counted once per client per post per hour.

The client is the user id when signed in, otherwise a keyed hash of the IP address: HMAC over the
address with a key derived from the server secret and the current UTC date. The raw address is
never stored, the hash cannot be reversed by hashing all IPv4 addresses without the secret, and
the daily key means a visitor cannot be followed from one day to the next. Within an hour (the
dedup window) the date is fixed, so the key is stable where it must be.

``post_views`` has a unique key on (post, client, hour): the insert is the deduplication, and
``posts.view_count`` moves only when a row was actually inserted.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timezone

from layers.core.db import Db
from layers.core.settings import Settings
from layers.services.published import published_post


def client_key(secret: bytes, user_id: int | None, client_ip: str, now: datetime) -> str:
    if user_id is not None:
        return f"user:{user_id}"
    day_key = hmac.new(secret, b"post-views:" + now.strftime("%Y-%m-%d").encode(), hashlib.sha256).digest()
    return "ip:" + hmac.new(day_key, client_ip.encode(), hashlib.sha256).hexdigest()[:32]


def record(conn: Db, settings: Settings, post_id: int, user_id: int | None, client_ip: str,
           now: datetime | None = None) -> bool:
    """Record a view of a published post; True when it counted (first this hour for the client)."""
    now = now or datetime.now(timezone.utc)
    published_post(conn, post_id)
    secret = settings.jwt_secret.get_secret_value().encode()
    inserted = conn.execute(
        "INSERT INTO post_views (post_id, user_id, client_hash, hour_bucket, viewed_at)"
        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT ON CONSTRAINT post_views_dedup_key DO NOTHING RETURNING id",
        (post_id, user_id, client_key(secret, user_id, client_ip, now),
         now.replace(minute=0, second=0, microsecond=0), now),
    ).fetchone()
    if inserted:
        conn.execute("UPDATE posts SET view_count = view_count + 1 WHERE id = %s", (post_id,))
    return inserted is not None
