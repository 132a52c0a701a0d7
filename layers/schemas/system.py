"""Response model of the system router's health check."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Health(BaseModel):
    status: Literal["ok", "degraded", "down"]
    database: Literal["ok", "down"]
    redis: Literal["ok", "down"]
    queue: Literal["ok", "down"]
    rate_limiter: Literal["ok", "failing_open"]
