"""Plans from configuration (``STRIPE_PLANS``): a name, a Stripe price, an amount and an interval."""
from __future__ import annotations

import functools

from pydantic import TypeAdapter, ValidationError

from layers.core.errors import DependencyUnavailable, ValidationFailed
from layers.core.logging import get_logger
from layers.core.settings import Settings
from layers.schemas.payments import Plan

log = get_logger("payments.plans")


@functools.lru_cache(maxsize=4)
def _parse(raw: str) -> tuple[Plan, ...]:
    try:
        plans = TypeAdapter(list[Plan]).validate_json(raw)
    except ValidationError as exc:
        log.error("STRIPE_PLANS is not a valid list of plans", extra={"errors": exc.error_count()})
        raise DependencyUnavailable("payment plans are misconfigured") from exc
    if len({p.name for p in plans}) != len(plans):
        raise DependencyUnavailable("payment plans are misconfigured")
    return tuple(plans)


def all_plans(settings: Settings) -> list[Plan]:
    return list(_parse(settings.stripe_plans))


def by_name(settings: Settings, name: str) -> Plan:
    """The plan called ``name``; a 422 on the ``plan`` field naming the valid ones otherwise."""
    plans = _parse(settings.stripe_plans)
    for plan in plans:
        if plan.name == name:
            return plan
    raise ValidationFailed([{"loc": ["body", "plan"], "type": "enum",
                             "msg": f"Unknown plan; expected one of: {', '.join(p.name for p in plans)}"}])


def name_for_price(settings: Settings, price_id: str | None) -> str | None:
    """The plan selling ``price_id``; the price id itself for a price not configured here."""
    if price_id is None:
        return None
    return next((p.name for p in _parse(settings.stripe_plans) if p.price_id == price_id), price_id)
