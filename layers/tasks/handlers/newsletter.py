"""Newsletter emails: the double opt-in confirmation."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from pydantic import BaseModel

from layers.core.settings import get_settings
from layers.tasks.registry import task


class NewsletterConfirmation(BaseModel):
    subscription_id: int


@task("send_newsletter_confirmation")
def send_newsletter_confirmation(conn: Any, payload: NewsletterConfirmation) -> None:
    """Mint the confirm token and email it; nothing when confirmed or unsubscribed meanwhile."""
    from layers.email import sender, templates
    from layers.services import newsletter

    issued = newsletter.issue_confirmation(conn, payload.subscription_id)
    if issued is None:
        return
    settings = get_settings()
    unsubscribe = quote(issued["unsubscribe_token"])
    sender.send(templates.newsletter_confirmation(
        issued["email"],
        link=f"{settings.frontend_origin}/newsletter/confirm?token={quote(issued['token'])}",
        unsubscribe_url=f"{settings.frontend_origin}/newsletter/unsubscribe?token={unsubscribe}",
        one_click_url=f"{settings.public_api_url}/api/newsletter/unsubscribe/one-click?token={unsubscribe}",
    ))
