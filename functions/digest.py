"""digest router: opting in and out of the daily digest email."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.http.routing import Router
from layers.schemas.common import Message, TokenQuery
from layers.schemas.digest import DigestStatus

router = Router("digest")


@router.post("/api/digest/subscribe", auth="user", response=DigestStatus)
def digest_subscribe(db: Db, user: CurrentUser) -> dict[str, Any]:
    """Opt in to the daily digest (idempotent). Sent only once the email address is verified."""
    from layers.services import digest

    return digest.subscribe(db, user.id)


@router.post("/api/digest/unsubscribe", auth="user", response=DigestStatus)
def digest_unsubscribe(db: Db, user: CurrentUser) -> dict[str, Any]:
    """Opt out of the daily digest (idempotent)."""
    from layers.services import digest

    return digest.unsubscribe(db, user.id)


@router.post("/api/digest/unsubscribe/one-click", query=TokenQuery, response=Message, errors=(400,))
def digest_unsubscribe_one_click(db: Db, query: TokenQuery) -> dict[str, str]:
    """Opt out without signing in, with the token of a digest email's unsubscribe link.

    The `List-Unsubscribe` (RFC 8058) target of every digest email.
    """
    from layers.services import digest

    digest.unsubscribe_by_token(db, query.token)
    return {"detail": "unsubscribed"}
