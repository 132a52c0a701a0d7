"""Admin task page: depths and runs, run a job now, redrive dead letters."""
from __future__ import annotations

import json
import threading
import uuid

import pytest

from tests.support.aws import queue_depths
from tests.support.tasks import queue_url, replace_client, sql, sqs, unreachable

JOBS = ["daily_digest", "embedding_backfill", "leaderboard_reconcile", "outbox_sweep", "sitemap", "srs_reschedule",
        "stripe_sync", "task_log_cleanup", "token_cleanup"]


@pytest.fixture
def admin(users, drain):
    account = users.admin()
    drain()  # its verification email: start with an empty queue
    return account


def test_only_admins(api, users):
    user = users.create()
    for method, path in (("GET", "/api/admin/tasks"), ("POST", "/api/admin/tasks/sitemap/run"),
                         ("POST", "/api/admin/tasks/dead-letter/redrive")):
        assert api.request(method, path).status == 401
        assert api.request(method, path, token=user.token).status == 403


def test_overview_shows_depths_and_every_job(api, admin):
    sqs().send_message(QueueUrl=queue_url(), MessageBody="{}")
    sqs().send_message(QueueUrl=queue_url(dead_letter=True), MessageBody="{}")
    sqs().send_message(QueueUrl=queue_url(dead_letter=True), MessageBody="{}")
    reply = api.get("/api/admin/tasks", token=admin.token)
    assert reply.status == 200, reply.text
    body = reply.json
    assert body["queue"] == {"name": "blog-tasks", "available": True, "depth": 1, "visible": 1, "in_flight": 0}
    assert body["dead_letter"]["depth"] == 2
    assert body["outbox"]["pending"] == 0
    assert [j["name"] for j in body["jobs"]] == JOBS
    assert all(j["schedule"].startswith("cron(") and j["recent_runs"] == [] for j in body["jobs"])


def test_run_now_records_a_manual_run(api, admin):
    reply = api.post("/api/admin/tasks/sitemap/run", token=admin.token)
    assert reply.status == 200, reply.text
    run = reply.json
    assert run["job"] == "sitemap" and run["trigger"] == "manual" and run["outcome"] == "succeeded"
    assert run["counts"]["urls"] == 0 and run["finished_at"]
    jobs = {j["name"]: j for j in api.get("/api/admin/tasks", token=admin.token).json["jobs"]}
    assert [r["id"] for r in jobs["sitemap"]["recent_runs"]] == [run["id"]]


def test_run_now_reports_a_failed_run(api, admin):
    from layers.core import aws
    from layers.core.settings import get_settings

    aws.client("s3").delete_bucket(Bucket=get_settings().site_bucket)
    reply = api.post("/api/admin/tasks/sitemap/run", token=admin.token)
    assert reply.status == 200
    assert reply.json["outcome"] == "failed" and "NoSuchBucket" in reply.json["error"]


def test_run_now_while_running_is_409(api, admin):
    from layers.core import db

    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        with db.connection() as conn:
            conn.execute("SELECT pg_advisory_lock(7001, hashtext('token_cleanup'))")
            locked.set()
            release.wait(10)
            conn.execute("SELECT pg_advisory_unlock(7001, hashtext('token_cleanup'))")
            conn.commit()

    thread = threading.Thread(target=hold_lock)
    thread.start()
    try:
        assert locked.wait(10)
        assert api.post("/api/admin/tasks/token_cleanup/run", token=admin.token).status == 409
    finally:
        release.set()
        thread.join()
    assert api.post("/api/admin/tasks/token_cleanup/run", token=admin.token).status == 200


@pytest.mark.parametrize("job", ["nope", "SITEMAP", "sitemap%27%3B--", "%E2%80%AEsitemap", "x" * 2000,
                                 "__init__", "_handler"])
def test_run_unknown_job_is_404(api, admin, job):
    reply = api.post(f"/api/admin/tasks/{job}/run", token=admin.token)
    assert reply.status == 404, reply.text


def test_redrive_moves_dead_letters_back(api, admin):
    for i in range(13):
        sqs().send_message(QueueUrl=queue_url(dead_letter=True), MessageBody=f'{{"n": {i}}}')
    reply = api.post("/api/admin/tasks/dead-letter/redrive", token=admin.token)
    assert reply.status == 200, reply.text
    assert reply.json["moved"] == 13 and reply.json["dead_letter"]["depth"] == 0
    assert queue_depths() == {"blog-tasks": 13, "blog-tasks-dlq": 0}
    assert api.post("/api/admin/tasks/dead-letter/redrive", token=admin.token).json["moved"] == 0


def test_redriven_task_takes_effect_once(api, admin, drain):
    body = json.dumps({"task_id": str(uuid.uuid4()), "task_type": "noop", "payload": {}})
    sqs().send_message(QueueUrl=queue_url(dead_letter=True), MessageBody=body)
    sqs().send_message(QueueUrl=queue_url(dead_letter=True), MessageBody=body)  # dead-lettered twice
    assert api.post("/api/admin/tasks/dead-letter/redrive", token=admin.token).json["moved"] == 2
    drain()
    assert sql("SELECT count(*) AS n FROM processed_tasks WHERE task_type = 'noop'")[0]["n"] == 1
    assert queue_depths() == {"blog-tasks": 0, "blog-tasks-dlq": 0}


def test_queue_down(api, admin, monkeypatch):
    replace_client(monkeypatch, "sqs", get_queue_attributes=unreachable, receive_message=unreachable)
    reply = api.get("/api/admin/tasks", token=admin.token)
    assert reply.status == 200
    assert reply.json["queue"]["available"] is False and reply.json["queue"]["depth"] is None
    assert len(reply.json["jobs"]) == len(JOBS)
    assert api.post("/api/admin/tasks/dead-letter/redrive", token=admin.token).status == 503
