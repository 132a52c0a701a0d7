"""The daily digest email, one task per subscriber and digest date."""
from __future__ import annotations

from datetime import date
from urllib.parse import quote

from pydantic import BaseModel, Field

from layers.core.db import Db
from layers.core.errors import RecipientRejected
from layers.core.logging import get_logger
from layers.core.ports import Mailer
from layers.core.settings import Settings
from layers.tasks.registry import task

log = get_logger("tasks.digest")


class DigestDelivery(BaseModel):
    user_id: int
    digest_date: date
    post_ids: list[int] = Field(min_length=1, max_length=50)


@task("send_digest")
def send_digest(db: Db, payload: DigestDelivery, mailer: Mailer, settings: Settings) -> None:
    """Claim (user, date) in ``digest_deliveries`` in this transaction, then send.

    The claim commits with the task, so any later copy of this digest finds it and sends
    nothing. A recipient SES refuses for good is logged and left claimed: retrying cannot help.
    """
    from layers.email import templates
    from layers.services import digest

    recipient = digest.recipient(db, payload.user_id)
    if recipient is None:
        return  # unsubscribed, deactivated or unverified meanwhile
    posts = digest.digest_posts(db, payload.post_ids)
    if not posts or not digest.claim_delivery(db, payload.user_id, payload.digest_date):
        return
    token = quote(recipient["unsubscribe_token"])
    links = templates.DigestLinks(
        site_url=settings.frontend_origin,
        unsubscribe_url=f"{settings.frontend_origin}/digest/unsubscribe?token={token}",
        one_click_url=f"{settings.public_api_url}/api/digest/unsubscribe/one-click?token={token}",
    )
    try:
        mailer.send(templates.digest(recipient["email"], recipient["name"], posts, links))
    except RecipientRejected:
        log.warning("digest recipient rejected by SES", extra={"user_id": payload.user_id})
