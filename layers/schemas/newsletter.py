"""Request models of the newsletter router (the confirm and one-click links use ``TokenQuery``)."""
from __future__ import annotations

from layers.schemas.common import Email, OpaqueToken, StrictModel


class SubscribeIn(StrictModel):
    email: Email


class TokenIn(StrictModel):
    token: OpaqueToken
