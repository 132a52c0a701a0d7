"""newsletter router: double opt-in subscription by emailed token, unsubscribe by token."""
from __future__ import annotations

from layers.core.db import Db
from layers.http.routing import Router
from layers.schemas.common import Message, TokenQuery
from layers.schemas.newsletter import SubscribeIn, TokenIn

router = Router("newsletter")
_ACCEPTED = "if this address is not subscribed yet, a confirmation email is on its way"


@router.post("/api/newsletter/subscribe", body=SubscribeIn, response=Message, status=202)
def newsletter_subscribe(db: Db, body: SubscribeIn) -> dict[str, str]:
    """Start a subscription: a confirmation link is emailed (double opt-in).

    The answer is the same whether or not the address is already subscribed, and at most one
    confirmation goes to an address every 10 minutes.
    """
    from layers.services import newsletter

    newsletter.subscribe(db, body.email)
    return {"detail": _ACCEPTED}


@router.get("/api/newsletter/confirm", query=TokenQuery, response=Message, errors=(400,), writes=True)
def newsletter_confirm(db: Db, query: TokenQuery) -> dict[str, str]:
    """Confirm a subscription with the emailed token (400 when invalid or expired after 48 hours)."""
    from layers.services import newsletter

    newsletter.confirm(db, query.token)
    return {"detail": "subscription confirmed"}


@router.post("/api/newsletter/unsubscribe", body=TokenIn, response=Message, errors=(400,))
def newsletter_unsubscribe(db: Db, body: TokenIn) -> dict[str, str]:
    """Unsubscribe with the token from any newsletter email's unsubscribe link."""
    from layers.services import newsletter

    newsletter.unsubscribe(db, body.token)
    return {"detail": "unsubscribed"}


@router.post("/api/newsletter/unsubscribe/one-click", query=TokenQuery, response=Message, errors=(400,))
def newsletter_unsubscribe_one_click(db: Db, query: TokenQuery) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: the `List-Unsubscribe` target of every newsletter email.

    Mail clients POST `List-Unsubscribe=One-Click` as a form body; the token is in the query.
    """
    from layers.services import newsletter

    newsletter.unsubscribe(db, query.token)
    return {"detail": "unsubscribed"}
