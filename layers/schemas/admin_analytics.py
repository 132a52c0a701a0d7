"""Request and response models of the admin_analytics router."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from layers.core.pagination import PageQuery
from layers.schemas.common import IsoDate

DEFAULT_RANGE_DAYS = 30
# Bounds keep date arithmetic (the default start is ``to`` minus 29 days) far from overflow.
EARLIEST, LATEST = date(1970, 1, 1), date(9999, 1, 1)


class DateRangeQuery(BaseModel):
    """``?from=YYYY-MM-DD&to=YYYY-MM-DD``, both inclusive UTC days; by default the last 30 days."""

    from_: IsoDate | None = Field(None, alias="from", ge=EARLIEST, le=LATEST)
    to: IsoDate | None = Field(None, ge=EARLIEST, le=LATEST)

    @model_validator(mode="after")
    def _resolve(self) -> DateRangeQuery:
        if self.to is None:
            self.to = datetime.now(timezone.utc).date()
        if self.from_ is None:
            self.from_ = self.to - timedelta(days=DEFAULT_RANGE_DAYS - 1)
        if self.from_ > self.to:
            raise ValueError("'from' must not be after 'to'")
        return self

    @property
    def start(self) -> date:
        assert self.from_ is not None  # resolved by the validator
        return self.from_

    @property
    def end(self) -> date:
        assert self.to is not None  # resolved by the validator
        return self.to


class PostAnalyticsQuery(DateRangeQuery, PageQuery):
    sort: Literal["views", "reads", "reactions", "comments"] = "views"


class AnalyticsOverview(BaseModel):
    start: date = Field(description="first day of the range (UTC)")
    end: date = Field(description="last day of the range, inclusive (UTC)")
    users: int = Field(description="accounts existing at the end of the range")
    new_users: int
    posts: int = Field(description="posts published by the end of the range")
    new_posts: int = Field(description="posts first published within the range")
    views: int
    reads: int
    reactions: int
    comments: int


class PostAnalytics(BaseModel):
    post_id: int
    slug: str
    title: str
    status: Literal["draft", "published"]
    views: int
    reads: int
    reactions: int
    comments: int
