"""Response model of the digest router (the one-click link uses ``TokenQuery``)."""
from __future__ import annotations

from pydantic import BaseModel


class DigestStatus(BaseModel):
    subscribed: bool
    email_verified: bool  # digests go to verified addresses only
