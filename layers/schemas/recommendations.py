"""Response model of the recommendations router (its query is the plain ``PageQuery``)."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from layers.core.pagination import Page
from layers.schemas.post_parts import PostSummary

Strategy = Literal["personalised", "popular"]


class RecommendedPost(PostSummary):
    score: int = Field(description="personalised: shared tags plus 1 for a shared series; "
                                   "popular: views in the last 30 days")


class RecommendationPage(Page[RecommendedPost]):
    strategy: Strategy
