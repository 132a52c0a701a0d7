"""Scheduled jobs: discovery, run records, sitemap, cleanups, and the local scheduler."""
from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import pytest

from tests.support.aws import queue_depths
from tests.support.tasks import add_post, add_series, run_scheduled, sql

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
EXPECTED_JOBS = {"daily_digest", "embedding_backfill", "leaderboard_reconcile", "outbox_sweep", "sitemap",
                 "srs_reschedule", "stripe_sync", "task_log_cleanup", "token_cleanup"}


def s3_object(key: str) -> tuple[ET.Element, str]:
    from layers.core import aws
    from layers.core.settings import get_settings

    obj = aws.client("s3").get_object(Bucket=get_settings().site_bucket, Key=key)
    return ET.fromstring(obj["Body"].read()), obj["ContentType"]


def s3_keys() -> list[str]:
    from layers.core import aws
    from layers.core.settings import get_settings

    return sorted(o["Key"] for o in aws.client("s3").list_objects_v2(
        Bucket=get_settings().site_bucket).get("Contents", []))


def urls_of(urlset: ET.Element) -> list[str]:
    assert urlset.tag == f"{NS}urlset"
    out = []
    for url in urlset:
        assert url.tag == f"{NS}url" and [child.tag for child in url] == [f"{NS}loc", f"{NS}lastmod"]
        datetime.fromisoformat(url.find(f"{NS}lastmod").text)  # W3C datetime
        assert url.find(f"{NS}lastmod").text.endswith("+00:00")
        out.append(url.find(f"{NS}loc").text)
    return out


def test_every_scheduled_module_declares_its_job_and_schedule(app):
    from infra.local import cron
    from infra.local.scheduler import Scheduler, expression_of, scheduled_sources
    from scheduled import jobs

    found = jobs()
    assert set(found) == EXPECTED_JOBS
    sources = {s.name: expression_of(s) for s in scheduled_sources(app)}
    for name, job in found.items():
        assert sources[name] == job.schedule
        cron.parse(job.schedule)
    scheduler = Scheduler(app, threading.Event())
    assert set(scheduler.jobs) >= EXPECTED_JOBS
    seven = datetime(2026, 5, 11, 7, 0, tzinfo=timezone.utc)
    assert scheduler.jobs["daily_digest"].due(seven, None)
    assert not scheduler.jobs["daily_digest"].due(seven.replace(hour=8), None)
    assert scheduler.jobs["outbox_sweep"].due(seven.replace(minute=1), None)


def test_a_run_is_recorded_with_start_end_outcome_and_counts(client):
    result = run_scheduled(client, "token_cleanup")
    assert result["outcome"] == "succeeded"
    [run] = sql("SELECT * FROM job_runs")
    assert run["job"] == "token_cleanup" and run["trigger"] == "schedule"
    assert run["started_at"] <= run["finished_at"]
    assert run["counts"] == {"refresh_tokens": 0, "email_tokens": 0} and run["error"] is None


def test_a_failed_run_is_recorded_and_reported(client):
    from layers.core import aws
    from layers.core.settings import get_settings

    aws.client("s3").delete_bucket(Bucket=get_settings().site_bucket)
    with pytest.raises(Exception, match="job sitemap failed"):
        run_scheduled(client, "sitemap")
    [run] = sql("SELECT outcome, error, finished_at FROM job_runs")
    assert run["outcome"] == "failed" and "NoSuchBucket" in run["error"] and run["finished_at"]


def test_a_job_does_not_overlap_itself(client):
    from layers.jobs.runs import JobAlreadyRunning, run_job
    from scheduled import jobs

    job = jobs()["token_cleanup"]
    entered, release = threading.Event(), threading.Event()
    slow = job.__class__(job.name, job.schedule, lambda at: entered.set() or release.wait(10) and {})
    thread = threading.Thread(target=run_job, args=(slow, "manual"))
    thread.start()
    try:
        assert entered.wait(10)
        with pytest.raises(JobAlreadyRunning):
            run_job(job, "manual")
        assert run_scheduled(client, "token_cleanup")["outcome"] == "skipped"
    finally:
        release.set()
        thread.join()
    assert run_job(job, "manual")["outcome"] == "succeeded"  # the lock was released


def test_sitemap_lists_published_posts_and_series(client):
    series = add_series("postgres-basics")
    add_post("indexes", series_id=series, position=1)
    add_post("vacuum", premium=True)
    add_post("a-draft", hours_ago=None)
    add_series("empty-series")
    result = run_scheduled(client, "sitemap")
    assert result["counts"]["urls"] == 3
    urlset, content_type = s3_object("sitemap.xml")
    assert content_type == "application/xml"
    assert sorted(urls_of(urlset)) == ["http://localhost:3000/posts/indexes", "http://localhost:3000/posts/vacuum",
                                       "http://localhost:3000/series/postgres-basics"]


def test_sitemap_past_the_limit_writes_an_index_and_parts():
    from layers.core import aws, db
    from layers.core.settings import get_settings
    from layers.services import sitemap

    settings = get_settings()
    target = (aws.client("s3"), settings.site_bucket, settings.frontend_origin)

    for i in range(5):
        add_post(f"post-{i}")
    with db.connection() as conn:
        assert sitemap.publish(conn, *target, max_urls=2)["files"] == 4
    index, _ = s3_object("sitemap.xml")
    assert index.tag == f"{NS}sitemapindex"
    locs = [entry.find(f"{NS}loc").text for entry in index]
    assert all(entry.tag == f"{NS}sitemap" and entry.find(f"{NS}lastmod") is not None for entry in index)
    assert locs == [f"http://localhost:3000/sitemap-0000{n}.xml" for n in (1, 2, 3)]
    listed = [url for n in (1, 2, 3) for url in urls_of(s3_object(f"sitemap-0000{n}.xml")[0])]
    assert len(listed) == 5 and all(len(urls_of(s3_object(f"sitemap-0000{n}.xml")[0])) <= 2 for n in (1, 2, 3))
    assert sorted(listed) == [f"http://localhost:3000/posts/post-{i}" for i in range(5)]

    sql("UPDATE posts SET status = 'draft' WHERE slug <> 'post-0'")
    with db.connection() as conn:
        assert sitemap.publish(conn, *target, max_urls=2)["stale_parts_deleted"] == 3
    assert s3_keys() == ["sitemap.xml"]
    assert urls_of(s3_object("sitemap.xml")[0]) == ["http://localhost:3000/posts/post-0"]


def test_token_cleanup_deletes_only_expired_tokens(client, users, drain):
    account = users.create()
    drain()  # the verification email mints a live email token
    sql("INSERT INTO refresh_tokens (user_id, token_hash, family_id, expires_at) VALUES"
        " (%(u)s, 'a', gen_random_uuid(), now() - interval '1 day'),"
        " (%(u)s, 'b', gen_random_uuid(), now() - interval '1 second')", {"u": account.id})
    sql("INSERT INTO email_tokens (user_id, purpose, token_hash, expires_at)"
        " VALUES (%s, 'password_reset', 'c', now() - interval '1 hour')", (account.id,))
    live_refresh = sql("SELECT count(*) AS n FROM refresh_tokens WHERE expires_at > now()")[0]["n"]
    live_email = sql("SELECT count(*) AS n FROM email_tokens WHERE expires_at > now()")[0]["n"]
    assert run_scheduled(client, "token_cleanup")["counts"] == {"refresh_tokens": 2, "email_tokens": 1}
    assert sql("SELECT count(*) AS n FROM refresh_tokens")[0]["n"] == live_refresh == 1
    assert sql("SELECT count(*) AS n FROM email_tokens")[0]["n"] == live_email == 1


def test_task_log_cleanup_keeps_what_is_still_needed(client):
    sql("INSERT INTO task_outbox (id, task_type, payload, status, sent_at) VALUES"
        " (gen_random_uuid(), 'noop', '{}', 'sent', now() - interval '8 days'),"
        " (gen_random_uuid(), 'noop', '{}', 'sent', now() - interval '1 day'),"
        " (gen_random_uuid(), 'noop', '{}', 'pending', NULL)")
    sql("UPDATE task_outbox SET created_at = now() - interval '60 days'")
    sql("INSERT INTO processed_tasks (task_id, task_type, processed_at) VALUES"
        " (gen_random_uuid(), 'noop', now() - interval '31 days'), (gen_random_uuid(), 'noop', now())")
    sql("INSERT INTO email_deliveries (task_id, recipient, state, attempted_at) VALUES"
        " (gen_random_uuid(), 'a@example.com', 'sent', now() - interval '31 days'),"
        " (gen_random_uuid(), 'b@example.com', 'sent', now())")
    result = run_scheduled(client, "task_log_cleanup")
    assert result["counts"] == {"task_outbox": 1, "processed_tasks": 1, "email_deliveries": 1, "job_runs": 0}
    assert [r["status"] for r in sql("SELECT status FROM task_outbox ORDER BY status")] == ["pending", "sent"]
    assert queue_depths()["blog-tasks"] == 0


def test_a_run_left_running_by_a_dead_process_is_marked_failed_by_the_next(client):
    sql("INSERT INTO job_runs (job, started_at) VALUES ('token_cleanup', now() - interval '1 hour')")
    assert run_scheduled(client, "token_cleanup")["outcome"] == "succeeded"
    runs = sql("SELECT outcome, error FROM job_runs ORDER BY started_at")
    assert [r["outcome"] for r in runs] == ["failed", "succeeded"]
    assert runs[0]["error"].startswith("interrupted")
