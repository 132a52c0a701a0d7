"""Content revalidation: which public paths a content change touches, queued for purging.

Every content write calls one of the ``*_changed`` functions in its own transaction, with the
subject's state from before the write (``post_state`` ...): the paths are those of the state
before *and* after, so a renamed post purges its old URL, a post leaving a series or a tag purges
that series' or tag's page, and an unpublished post purges every list it was on. A change that
no reader could see (editing a draft) queues nothing.

Coalescing: paths wait in ``revalidation_pending``, one row per subject (``post:<id>`` ...).
The first change inserts the row and queues one ``revalidate_content`` task, held back for
``REVALIDATE_COALESCE_SECONDS`` (its outbox row is not due before; the outbox sweep sends it);
every later change to the same subject only adds its paths to the row. The task deletes the row
and sends the union, so a burst of edits becomes one purge. A change arriving while the task
holds the row waits for it, then starts a new row and task. A row whose task has not taken it
long after it was due (the task dead-lettered) gets a new task with the next change.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from layers.core.db import Db
from layers.core.settings import get_settings
from layers.services import content_paths as paths_of
from layers.tasks import outbox

TASK = "revalidate_content"
INDEXNOW_TASK = "indexnow_submit"
INDEXNOW_BATCH = 1_000  # URLs per task: keeps a message far under SQS's 256 KB
STALE_AFTER_SECONDS = 900  # past its due time, a row whose task never took it gets a new task
FAILURES_KEPT_DAYS = 30


@dataclass(frozen=True)
class PostState:
    slug: str
    published: bool
    series_slug: str | None
    tag_slugs: tuple[str, ...]


@dataclass(frozen=True)
class GroupState:
    """A series or a tag: its slug and the slugs of its published posts."""

    slug: str
    post_slugs: tuple[str, ...]


@dataclass(frozen=True)
class Batch:
    """The paths one task sends, and the reference that makes sending them twice harmless."""

    key: str
    paths: tuple[str, ...]
    task_id: str | None

    @property
    def reference(self) -> str:
        # The task id alone is not enough: a retried task may carry more paths than its first
        # attempt (edits merged meanwhile), and CloudFront refuses a reused reference with a
        # different batch. Same task and same paths: same reference.
        digest = hashlib.sha256("\n".join(self.paths).encode()).hexdigest()[:16]
        return f"{self.task_id or self.key}-{digest}"


def post_state(conn: Db, post_id: int) -> PostState | None:
    row = conn.execute(
        "SELECT p.slug, p.status = 'published' AS published, s.slug AS series_slug,"
        " coalesce(array_agg(t.slug ORDER BY t.slug) FILTER (WHERE t.slug IS NOT NULL), '{}') AS tag_slugs"
        " FROM posts p LEFT JOIN series s ON s.id = p.series_id"
        " LEFT JOIN post_tags pt ON pt.post_id = p.id LEFT JOIN tags t ON t.id = pt.tag_id"
        " WHERE p.id = %s GROUP BY p.id, s.slug",
        (post_id,),
    ).fetchone()
    if row is None:
        return None
    return PostState(row["slug"], row["published"], row["series_slug"], tuple(row["tag_slugs"]))


def series_state(conn: Db, series_id: int) -> GroupState | None:
    return _group_state(conn, "SELECT s.slug, coalesce(array_agg(p.slug ORDER BY p.slug)"
                              " FILTER (WHERE p.status = 'published'), '{}') AS post_slugs"
                              " FROM series s LEFT JOIN posts p ON p.series_id = s.id"
                              " WHERE s.id = %s GROUP BY s.id", series_id)


def tag_state(conn: Db, tag_id: int) -> GroupState | None:
    return _group_state(conn, "SELECT t.slug, coalesce(array_agg(p.slug ORDER BY p.slug)"
                              " FILTER (WHERE p.status = 'published'), '{}') AS post_slugs"
                              " FROM tags t LEFT JOIN post_tags pt ON pt.tag_id = t.id"
                              " LEFT JOIN posts p ON p.id = pt.post_id WHERE t.id = %s GROUP BY t.id", tag_id)


def post_changed(conn: Db, post_id: int, before: PostState | None) -> None:
    """Queue the paths of the post as it was (``before``) and as it is now."""
    found = _post_paths(before) | _post_paths(post_state(conn, post_id))
    if found:
        request(conn, f"post:{post_id}", found | set(paths_of.POST_LISTS))


def series_changed(conn: Db, series_id: int, before: GroupState | None) -> None:
    states = [before, series_state(conn, series_id)]
    found = _group_paths(states, paths_of.series, paths_of.SERIES_INDEX, in_sitemap=True)
    request(conn, f"series:{series_id}", found)


def tag_changed(conn: Db, tag_id: int, before: Sequence[GroupState | None]) -> None:
    """``before``: the tag's state, or every tag a merge into it involved."""
    states = [*before, tag_state(conn, tag_id)]
    request(conn, f"tag:{tag_id}", _group_paths(states, paths_of.tag, paths_of.TAGS_INDEX, in_sitemap=False))


def redirect_created(conn: Db, old_slug: str) -> None:
    """The old slug's page (a cached 404, or the post it named) now redirects."""
    request(conn, f"redirect:{old_slug}", {paths_of.post(old_slug)})


def sitemap_changed(conn: Db, keys: Iterable[str]) -> None:
    """The sitemap files just rewritten (``sitemap.xml`` and its parts) must leave the CDN."""
    request(conn, "sitemap", {f"/{key}" for key in keys})


def request(conn: Db, key: str, paths: Iterable[str]) -> None:
    """Add ``paths`` to the subject's pending revalidation; queue its task if it has none."""
    unique = sorted(set(paths))
    delay = get_settings().revalidate_coalesce_seconds
    row = conn.execute(
        "INSERT INTO revalidation_pending AS r (key, paths) VALUES (%(key)s, %(paths)s)"
        " ON CONFLICT (key) DO UPDATE SET updated_at = now(),"
        "  paths = ARRAY(SELECT DISTINCT p FROM unnest(r.paths || EXCLUDED.paths) AS u(p) ORDER BY p),"
        "  task_id = CASE WHEN r.queued_at < now() - make_interval(secs => %(stale)s) THEN NULL"
        "   ELSE r.task_id END"
        " RETURNING task_id",
        {"key": key, "paths": unique, "stale": delay + STALE_AFTER_SECONDS},
    ).fetchone()
    assert row is not None  # an upsert with RETURNING yields the row
    if row["task_id"] is not None:
        return  # its task is queued and will send the union
    task_id = outbox.enqueue(conn, TASK, {"key": key, "paths": unique})
    if delay > 0:
        # Not due yet: the post-commit relay leaves it, the outbox sweep sends it once due.
        conn.execute("UPDATE task_outbox SET available_at = now() + make_interval(secs => %s) WHERE id = %s",
                     (delay, task_id))
    conn.execute("UPDATE revalidation_pending SET task_id = %s, queued_at = now() WHERE key = %s", (task_id, key))


def take(conn: Db, key: str) -> Batch | None:
    """Remove and return the subject's pending paths (None when an earlier task sent them).

    The row stays locked until the task's transaction ends: if sending fails, the rollback puts
    it back for the retry, with whatever was merged into it meanwhile.
    """
    row = conn.execute("DELETE FROM revalidation_pending WHERE key = %s RETURNING paths, task_id",
                       (key,)).fetchone()
    if row is None:
        return None
    return Batch(key, tuple(row["paths"]), str(row["task_id"]) if row["task_id"] else None)


def notify_search_engines(conn: Db, urls: Sequence[str]) -> int:
    """Queue IndexNow submissions of ``urls`` (when a key is configured); the number of tasks."""
    if not get_settings().indexnow_key or not urls:
        return 0
    chunks = [list(urls[i:i + INDEXNOW_BATCH]) for i in range(0, len(urls), INDEXNOW_BATCH)]
    for chunk in chunks:
        outbox.enqueue(conn, INDEXNOW_TASK, {"urls": chunk})
    return len(chunks)


def record_failure(conn: Db, task_id: str | None, target: str, error: str, retried: bool, path_count: int) -> None:
    conn.execute(
        "INSERT INTO revalidation_failures (task_id, target, retried, error, path_count)"
        " VALUES (%s, %s, %s, %s, %s)",
        (task_id, target, retried, error[:500], path_count),
    )
    # SKIP LOCKED: a failure recorded on a second connection while the task's own transaction
    # holds old rows must never wait for that transaction (it waits for this one).
    conn.execute("DELETE FROM revalidation_failures WHERE id IN (SELECT id FROM revalidation_failures"
                 " WHERE created_at < now() - make_interval(days => %s) FOR UPDATE SKIP LOCKED)",
                 (FAILURES_KEPT_DAYS,))


def recent_failures(conn: Db, limit: int = 20) -> list[dict[str, Any]]:
    return conn.execute(
        "SELECT task_id::text AS task_id, target, retried, error, path_count, created_at FROM revalidation_failures"
        " ORDER BY created_at DESC, id DESC LIMIT %s",
        (limit,),
    ).fetchall()


def _post_paths(state: PostState | None) -> set[str]:
    if state is None or not state.published:
        return set()
    found = {paths_of.post(state.slug), *(paths_of.tag(t) for t in state.tag_slugs)}
    if state.series_slug:
        found.add(paths_of.series(state.series_slug))
    return found


def _group_paths(states: Sequence[GroupState | None], page: Callable[[str], str], index: str,
                 in_sitemap: bool) -> set[str]:
    found = {index}
    for state in states:
        if state is None:
            continue
        found.add(page(state.slug))
        found.update(paths_of.post(slug) for slug in state.post_slugs)
        if in_sitemap and state.post_slugs:
            found.add(paths_of.SITEMAP)  # a series with published posts is in the sitemap
    return found


def _group_state(conn: Db, query: str, subject_id: int) -> GroupState | None:
    row = conn.execute(query, (subject_id,)).fetchone()
    return GroupState(row["slug"], tuple(row["post_slugs"])) if row else None
