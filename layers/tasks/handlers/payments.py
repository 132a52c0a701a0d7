"""Payment emails: a renewal that could not be charged."""
from __future__ import annotations

from layers.core.db import Db
from layers.core.ports import Mailer
from layers.core.settings import Settings
from layers.services.payments.webhook import PaymentFailedEmail
from layers.tasks.registry import task


@task("send_payment_failed_email")
def send_payment_failed_email(db: Db, payload: PaymentFailedEmail, mailer: Mailer, settings: Settings) -> None:
    """One email per failed charge (Stripe sends ``invoice.payment_failed`` once per attempt)."""
    from layers.email import templates

    user = db.execute("SELECT email, name FROM users WHERE id = %s", (payload.user_id,)).fetchone()
    if user is None:
        return  # the account was deleted meanwhile
    amount = f"{payload.amount_due / 100:.2f} {payload.currency.upper()}".strip()
    mailer.send(templates.payment_failed(user["email"], user["name"], amount,
                                         f"{settings.frontend_origin}/account/billing",
                                         payload.hosted_invoice_url))
