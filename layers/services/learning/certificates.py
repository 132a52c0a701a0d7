"""Series completion certificates: issued once the series is read, verifiable by anyone by code.

Completion follows the reading-progress rules (``layers.services.progress``): every published post
of the series marked read. A claim is idempotent: the same user and series get the same
certificate. Codes carry their own check (``certificate_codes``), so a forged code is refused
without touching the database.
"""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.errors import Forbidden, NotFound
from layers.services import progress
from layers.services.learning import certificate_codes as codes
from layers.services.learning.rows import one

MISSING_SHOWN = 10

_CERTIFICATE_SQL = """
SELECT c.code, c.issued_at, c.series_id, s.slug AS series_slug, s.title AS series_title, u.name AS holder_name
FROM certificates c JOIN series s ON s.id = c.series_id JOIN users u ON u.id = c.user_id
"""


def links(code: str, frontend_origin: str, public_api_url: str) -> dict[str, str]:
    """``url``: the certificate's page on the site; ``print_url``: the printable page the API serves."""
    return {"url": f"{frontend_origin.rstrip('/')}/certificates/{code}",
            "print_url": f"{public_api_url.rstrip('/')}/api/certificates/print/{code}"}


def issue(conn: Db, user_id: int, series_id: int, key: bytes) -> dict[str, Any]:
    """The caller's certificate for a completed series (403 naming what is unread before that)."""
    status = progress.series_progress(conn, user_id, False, series_id)
    if status["total"] == 0:
        raise Forbidden("this series has no published posts yet")
    if not status["completed"]:
        unread = [p["title"] for p in status["posts"] if not p["read"]]
        shown = ", ".join(f'"{t}"' for t in unread[:MISSING_SHOWN])
        more = f" and {len(unread) - MISSING_SHOWN} more" if len(unread) > MISSING_SHOWN else ""
        raise Forbidden(f"read every post of the series first: {len(unread)} of {status['total']} unread"
                        f" ({shown}{more})")
    conn.execute("INSERT INTO certificates (code, user_id, series_id) VALUES (%s, %s, %s)"
                 " ON CONFLICT (user_id, series_id) DO NOTHING", (codes.new_code(key), user_id, series_id))
    return one(conn, _CERTIFICATE_SQL + " WHERE c.user_id = %s AND c.series_id = %s", (user_id, series_id))


def verify(conn: Db, code: str, key: bytes) -> dict[str, Any]:
    code = codes.canonical(code)
    if not codes.is_authentic(key, code):
        raise NotFound("certificate not found")
    row = conn.execute(_CERTIFICATE_SQL + " WHERE c.code = %s", (code,)).fetchone()
    if row is None:
        raise NotFound("certificate not found")
    return row
