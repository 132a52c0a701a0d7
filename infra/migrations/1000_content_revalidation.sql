-- Content revalidation: edits waiting to be purged, coalesced per subject, and what went wrong.

-- One row per subject (``post:12``, ``series:3``, ``tag:7`` ...) with the union of the paths its
-- edits touched. The first edit inserts the row and queues one ``revalidate_content`` task;
-- later edits only add paths until that task takes (deletes) the row, so a burst of edits to
-- one post becomes one purge. ``task_id`` is the task that will send the row: the CDN's
-- idempotency reference is derived from it, so a retried task never purges twice.
CREATE TABLE revalidation_pending (
    key        text PRIMARY KEY,
    paths      text[] NOT NULL,
    task_id    uuid,
    queued_at  timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Failed sends, for the admin task page. ``retried``: the task failed so SQS retries it (a 5xx,
-- a timeout, the target unreachable); false: the target refused (a 4xx) and nothing retries it.
CREATE TABLE revalidation_failures (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id     uuid,
    target      text NOT NULL,
    retried     boolean NOT NULL,
    error       text NOT NULL,
    path_count  integer NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revalidation_failures_created_idx ON revalidation_failures (created_at DESC);
