"""Embedding backfill: embeds every chunk of a published post that lacks a current vector.

Catches what ``embed_post`` could not do (the provider was down) and re-embeds after a change of
model: a chunk whose vector came from another model id counts as missing. Each run embeds a
bounded number of chunks and reports how many remain.
"""
from __future__ import annotations

from layers.core.db import Db
from layers.core.ports import Embeddings
from layers.jobs.job import Counts, Job
from scheduled import job_function


def run(db: Db, embeddings: Embeddings) -> Counts:
    from layers.services.rag import indexing

    return indexing.backfill(db, embeddings)


JOB = Job("embedding_backfill", "cron(0/15 * * * ? *)", run,
          "Embed the search chunks that lack a vector of the current model (every 15 minutes)")
blueprint, embedding_backfill = job_function(__name__, JOB)
