"""digest router: opting in and out of the daily digest email."""
from __future__ import annotations

from pydantic import BaseModel

from layers.core import db
from layers.http.context import RequestContext
from layers.http.routing import Router
from layers.schemas.common import Message, OpaqueToken

router = Router("digest")


class DigestStatus(BaseModel):
    subscribed: bool
    email_verified: bool  # digests go to verified addresses only


class TokenQuery(BaseModel):
    token: OpaqueToken


@router.post("/api/digest/subscribe", auth="user", response=DigestStatus)
def digest_subscribe(ctx: RequestContext) -> dict:
    """Opt in to the daily digest (idempotent). Sent only once the email address is verified."""
    from layers.services import digest

    with db.connection() as conn:
        return digest.subscribe(conn, ctx.require_user().id)


@router.post("/api/digest/unsubscribe", auth="user", response=DigestStatus)
def digest_unsubscribe(ctx: RequestContext) -> dict:
    """Opt out of the daily digest (idempotent)."""
    from layers.services import digest

    with db.connection() as conn:
        return digest.unsubscribe(conn, ctx.require_user().id)


@router.post("/api/digest/unsubscribe/one-click", query=TokenQuery, response=Message, errors=(400,))
def digest_unsubscribe_one_click(ctx: RequestContext, query: TokenQuery) -> dict:
    """Opt out without signing in, with the token of a digest email's unsubscribe link.

    The `List-Unsubscribe` (RFC 8058) target of every digest email.
    """
    from layers.services import digest

    with db.connection() as conn:
        digest.unsubscribe_by_token(conn, query.token)
    return {"detail": "unsubscribed"}
