"""What a handler knows about the request besides its validated inputs."""
from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    client_ip: str
    user: CurrentUser | None
    headers: dict[str, str] = field(default_factory=dict)
    raw_body: bytes = b""

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None

    def require_user(self) -> CurrentUser:
        """For handlers whose route is ``auth="user"``: the decorator guarantees a user."""
        assert self.user is not None, "route must be declared with auth='user' or 'admin'"
        return self.user
