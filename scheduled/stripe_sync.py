"""Stripe sync: re-fetch (with a key) or expire (without) subscriptions Stripe never renewed."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalice.app import Blueprint, Cron

from layers.core.logging import configure, get_logger
from layers.jobs.job import Counts, Job
from layers.jobs.runs import run_scheduled

configure()  # app middleware does not run for event handlers (aws/chalice#1566)
blueprint = Blueprint(__name__)
log = get_logger("jobs.stripe_sync")
SCHEDULE = Cron(20, "*", "*", "*", "?", "*")  # hourly: a lost renewal costs at most an hour past the leeway
BATCH = 200  # per run; the rest waits for the next hour


def run(at: datetime) -> Counts:
    from layers import bootstrap
    from layers.services.payments import sync
    from layers.tasks.relay import unit_of_work

    payments, settings = bootstrap.provide("payments"), bootstrap.provide("settings")
    with unit_of_work() as uow:
        user_ids = sync.due(uow.conn, at, BATCH)
    counts = {"checked": len(user_ids), "refreshed": 0, "expired": 0, "skipped": 0, "failed": 0}
    for user_id in user_ids:
        try:
            # One transaction each: Stripe failing for one subscription leaves the others synced.
            with unit_of_work() as uow:
                counts[sync.sync_one(uow.conn, payments, settings, user_id, at)] += 1
        except Exception:
            log.warning("stripe sync failed for one subscription", extra={"user_id": user_id}, exc_info=True)
            counts["failed"] += 1
    return counts


JOB = Job("stripe_sync", SCHEDULE.to_string(), run,
          "Re-fetch from Stripe (or expire, without a key) subscriptions whose period ended with no renewal")


@blueprint.schedule(SCHEDULE, name=JOB.name)
def stripe_sync(event: Any) -> dict[str, Any]:
    return run_scheduled(JOB, event)
