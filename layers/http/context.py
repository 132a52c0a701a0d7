"""What a handler knows about the request besides its validated inputs."""
from __future__ import annotations

from dataclasses import dataclass, field

from layers.core.identity import CurrentUser


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
