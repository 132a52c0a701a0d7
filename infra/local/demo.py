"""Demo data for ``make run``: accounts (the ``ADMIN_EMAILS`` admins and a few readers).

Idempotent: running it again changes nothing that is already there. Local use only; the demo
password is printed at start-up and must never exist on a real stage.
"""
from __future__ import annotations

import os
from typing import Any

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-password-123")
READERS = (("alice@example.com", "Alice Reader"), ("bob@example.com", "Bob Builder"),
           ("carol@example.com", "Carol Coder"))


def load() -> dict[str, int]:
    from layers.core import db
    from layers.core.settings import get_settings

    settings = get_settings()
    with db.connection() as conn:
        accounts = ensure_accounts(conn, settings)
        conn.commit()
    print(f"demo accounts ({DEMO_PASSWORD!r}): {', '.join(sorted(accounts))}", flush=True)
    return accounts


def ensure_accounts(conn: Any, settings: Any) -> dict[str, int]:
    """Admins from ADMIN_EMAILS and the demo readers, verified, with the demo password."""
    from layers.services import users
    from layers.services.auth.passwords import hash_password

    wanted = [(email, email.split("@")[0].title()) for email in sorted(settings.admin_email_set)] + list(READERS)
    password_hash = hash_password(DEMO_PASSWORD)
    ids = {}
    for email, name in wanted:
        existing = users.find_by_email(conn, email)
        if existing is None:
            ids[email] = users.create(conn, email=email, name=name, password_hash=password_hash,
                                      role=users.role_for(email, settings.admin_email_set), email_verified=True)
        else:
            ids[email] = existing["id"]
    return ids
