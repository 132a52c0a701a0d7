"""Query model of the feed router."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

FeedFormat = Literal["rss", "atom"]


class FeedQuery(BaseModel):
    format: FeedFormat = "rss"
