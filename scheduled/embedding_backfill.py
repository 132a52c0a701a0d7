"""Embedding backfill: embeds every chunk of a published post that lacks a current vector.

Catches what ``embed_post`` could not do (the provider was down) and re-embeds after a change of
model: a chunk whose vector came from another model id counts as missing. Each run embeds a
bounded number of chunks and reports how many remain.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalice import Blueprint, Cron

from layers.core.logging import configure
from layers.jobs.job import Counts, Job
from layers.jobs.runs import run_scheduled

configure()  # app middleware does not run for event handlers (aws/chalice#1566)
blueprint = Blueprint(__name__)
SCHEDULE = Cron("0/15", "*", "*", "*", "?", "*")


def run(at: datetime) -> Counts:
    from layers import bootstrap
    from layers.core import db
    from layers.services.rag import indexing

    embeddings = bootstrap.provide("embeddings")
    with db.connection() as conn:
        counts = indexing.backfill(conn, embeddings)
        conn.commit()
    return counts


JOB = Job("embedding_backfill", SCHEDULE.to_string(), run,
          "Embed the search chunks that lack a vector of the current model (every 15 minutes)")


@blueprint.schedule(SCHEDULE, name=JOB.name)
def embedding_backfill(event: Any) -> dict[str, Any]:
    return run_scheduled(JOB, event)
