"""What a handler may know about the request besides its validated inputs (its ``request``)."""
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
