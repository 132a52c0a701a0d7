"""Request and response models of the payments routers (and the plan configuration's shape)."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from layers.schemas.common import StrictModel, single_line

PlanName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
                     BeforeValidator(single_line)]


class Plan(BaseModel):
    """One plan of ``STRIPE_PLANS``: a Stripe recurring price and what the pricing page shows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,64}$")]
    price_id: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    amount: int = Field(ge=0, description="In the currency's minor unit (cents)")
    currency: Annotated[str, StringConstraints(pattern=r"^[a-z]{3}$")]
    interval: Literal["day", "week", "month", "year"]


class CheckoutIn(StrictModel):
    plan: PlanName


class CheckoutOut(BaseModel):
    checkout_url: str


class PortalOut(BaseModel):
    portal_url: str


class SubscriptionOut(BaseModel):
    """The caller's subscription; ``status`` is ``none`` before any, else Stripe's status (or
    ``expired`` when the sync ended a period that Stripe never renewed)."""

    status: str
    plan: str | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    is_premium: bool


class WebhookOut(BaseModel):
    received: bool = True
    outcome: Literal["applied", "duplicate", "ignored"]
