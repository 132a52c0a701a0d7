"""newsletter router: double opt-in subscription by emailed token, unsubscribe by token."""
from __future__ import annotations

from pydantic import BaseModel

from layers.core import db
from layers.http.context import RequestContext
from layers.http.routing import Router
from layers.schemas.common import Email, Message, OpaqueToken, StrictModel

router = Router("newsletter")
_ACCEPTED = "if this address is not subscribed yet, a confirmation email is on its way"


class SubscribeIn(StrictModel):
    email: Email


class TokenIn(StrictModel):
    token: OpaqueToken


class TokenQuery(BaseModel):
    token: OpaqueToken


@router.post("/api/newsletter/subscribe", body=SubscribeIn, response=Message, status=202)
def newsletter_subscribe(ctx: RequestContext, body: SubscribeIn) -> dict:
    """Start a subscription: a confirmation link is emailed (double opt-in).

    The answer is the same whether or not the address is already subscribed, and at most one
    confirmation goes to an address every 10 minutes.
    """
    from layers.services import newsletter

    with db.connection() as conn:
        newsletter.subscribe(conn, body.email)
    return {"detail": _ACCEPTED}


@router.get("/api/newsletter/confirm", query=TokenQuery, response=Message, errors=(400,))
def newsletter_confirm(ctx: RequestContext, query: TokenQuery) -> dict:
    """Confirm a subscription with the emailed token (400 when invalid or expired after 48 hours)."""
    from layers.services import newsletter

    with db.connection() as conn:
        newsletter.confirm(conn, query.token)
    return {"detail": "subscription confirmed"}


@router.post("/api/newsletter/unsubscribe", body=TokenIn, response=Message, errors=(400,))
def newsletter_unsubscribe(ctx: RequestContext, body: TokenIn) -> dict:
    """Unsubscribe with the token from any newsletter email's unsubscribe link."""
    from layers.services import newsletter

    with db.connection() as conn:
        newsletter.unsubscribe(conn, body.token)
    return {"detail": "unsubscribed"}


@router.post("/api/newsletter/unsubscribe/one-click", query=TokenQuery, response=Message, errors=(400,))
def newsletter_unsubscribe_one_click(ctx: RequestContext, query: TokenQuery) -> dict:
    """RFC 8058 one-click unsubscribe: the `List-Unsubscribe` target of every newsletter email.

    Mail clients POST `List-Unsubscribe=One-Click` as a form body; the token is in the query.
    """
    from layers.services import newsletter

    with db.connection() as conn:
        newsletter.unsubscribe(conn, query.token)
    return {"detail": "unsubscribed"}
