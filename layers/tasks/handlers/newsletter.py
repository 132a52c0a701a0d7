"""Newsletter emails: the double opt-in confirmation."""
from __future__ import annotations

from urllib.parse import quote

from pydantic import BaseModel

from layers.core.db import Db
from layers.core.ports import Mailer
from layers.core.settings import Settings
from layers.tasks.registry import task


class NewsletterConfirmation(BaseModel):
    subscription_id: int


@task("send_newsletter_confirmation")
def send_newsletter_confirmation(db: Db, payload: NewsletterConfirmation, mailer: Mailer, settings: Settings) -> None:
    """Mint the confirm token and email it; nothing when confirmed or unsubscribed meanwhile."""
    from layers.email import templates
    from layers.services import newsletter

    issued = newsletter.issue_confirmation(db, payload.subscription_id)
    if issued is None:
        return
    unsubscribe = quote(issued["unsubscribe_token"])
    mailer.send(templates.newsletter_confirmation(
        issued["email"],
        link=f"{settings.frontend_origin}/newsletter/confirm?token={quote(issued['token'])}",
        unsubscribe_url=f"{settings.frontend_origin}/newsletter/unsubscribe?token={unsubscribe}",
        one_click_url=f"{settings.public_api_url}/api/newsletter/unsubscribe/one-click?token={unsubscribe}",
    ))
