"""Emails about a user's own account."""
from __future__ import annotations

from urllib.parse import quote

from pydantic import BaseModel

from layers.core.db import Db
from layers.core.ports import Mailer
from layers.core.settings import Settings
from layers.tasks.registry import task


class VerificationEmail(BaseModel):
    user_id: int


@task("send_verification_email")
def send_verification_email(db: Db, payload: VerificationEmail, mailer: Mailer, settings: Settings) -> None:
    """Mint a fresh token and email it; the plaintext token exists only in the email."""
    from layers.email import templates
    from layers.services.auth.service import create_email_token

    user = db.execute("SELECT email, name, email_verified FROM users WHERE id = %s",
                        (payload.user_id,)).fetchone()
    if user is None or user["email_verified"]:
        return  # deleted or verified meanwhile: nothing to send
    token = create_email_token(db, settings, payload.user_id, "verify_email")
    link = f"{settings.frontend_origin}/verify-email?token={quote(token)}"
    mailer.send(templates.verification(user["email"], user["name"], link))
