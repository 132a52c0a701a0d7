"""Who is calling: the principal the route decorator authenticates and services act for."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CurrentUser:
    id: int
    email: str
    name: str
    role: str
    is_premium: bool
    email_verified: bool = False
    token_jti: str | None = None
    token_exp: int | None = None

    @property
    def is_admin(self) -> bool:
        # ADMIN_EMAILS grants the role at registration; its powers wait for the address to be
        # verified, so whoever registers an admin address first cannot act as admin without
        # controlling the mailbox.
        return self.role == "admin" and self.email_verified
