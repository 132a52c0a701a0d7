"""Payment emails: a renewal that could not be charged."""
from __future__ import annotations

from layers.core.db import Db
from layers.core.ports import Mailer
from layers.core.settings import Settings
from layers.services.payments.webhook import PaymentFailedEmail
from layers.tasks.registry import task

# Currencies Stripe counts in whole units (no cents): https://docs.stripe.com/currencies
_ZERO_DECIMAL = frozenset({"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd",
                           "vuv", "xaf", "xof", "xpf"})


@task("send_payment_failed_email")
def send_payment_failed_email(db: Db, payload: PaymentFailedEmail, mailer: Mailer, settings: Settings) -> None:
    """One email per failed charge (Stripe sends ``invoice.payment_failed`` once per attempt)."""
    from layers.email import templates

    user = db.execute("SELECT email, name FROM users WHERE id = %s", (payload.user_id,)).fetchone()
    if user is None:
        return  # the account was deleted meanwhile
    amount = format_amount(payload.amount_due, payload.currency)
    mailer.send(templates.payment_failed(user["email"], user["name"], amount,
                                         f"{settings.frontend_origin}/account/billing",
                                         payload.hosted_invoice_url))


def format_amount(minor_units: int, currency: str) -> str:
    """``900, "usd"`` -> ``9.00 USD``; ``900, "jpy"`` -> ``900 JPY``."""
    code = currency.lower()
    value = str(minor_units) if code in _ZERO_DECIMAL else f"{minor_units / 100:.2f}"
    return f"{value} {code.upper()}".strip()
