"""Content revalidation: the paths each change queues, the frontend and CloudFront targets, retries,
coalescing, idempotency, IndexNow after a changed sitemap, and failures on the admin task page.

The frontend and IndexNow are a receiver on a loopback port; CloudFront is the AWS emulator.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.support.aws import queue_depths
from tests.support.content import content, db_rows
from tests.support.tasks import invoke_worker, make_visible, queue_url, receive, run_scheduled, sqs

SECRET = "shared-revalidation-secret-0123456789"
LISTS = {"/", "/posts", "/feed.xml", "/sitemap.xml"}


class Receiver:
    """An HTTP listener on 127.0.0.1 that records POSTs and answers the statuses it is told to."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []  # answered in order; 200 once empty
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers),
                                          "json": json.loads(body)})
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def to(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == path]

    def paths(self) -> list[set[str]]:
        """The path sets of every frontend revalidation, in order."""
        return [set(r["json"]["paths"]) for r in self.to("/api/revalidate")]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    thread = threading.Thread(target=found.server.serve_forever, daemon=True)
    thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture(autouse=True)
def quick_embeddings() -> Iterator[None]:
    """embed_post runs with every drain; the real model is not what these tests are about."""
    from layers import bootstrap
    from layers.adapters.hash_embeddings import HashEmbeddings

    with bootstrap.override(embeddings=HashEmbeddings()):
        yield


@pytest.fixture
def frontend(receiver: Receiver, settings_env: Any) -> Receiver:
    settings_env(FRONTEND_REVALIDATE_URL=receiver.url + "/api/revalidate", FRONTEND_REVALIDATE_SECRET=SECRET,
                 REVALIDATE_COALESCE_SECONDS="0")
    return receiver


def distribution() -> str:
    from layers.core import aws

    origin = {"Id": "site", "DomainName": "site.example.com",
              "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}
    config = {"CallerReference": "test-distribution", "Comment": "", "Enabled": True,
              "Origins": {"Quantity": 1, "Items": [origin]},
              "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "allow-all",
                                       "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                                       "MinTTL": 0}}
    created = aws.client("cloudfront").create_distribution(DistributionConfig=config)
    return str(created["Distribution"]["Id"])


def invalidations(distribution_id: str) -> list[dict[str, Any]]:
    from layers.core import aws

    cloudfront = aws.client("cloudfront")
    listed = cloudfront.list_invalidations(DistributionId=distribution_id)["InvalidationList"].get("Items") or []
    return [cloudfront.get_invalidation(DistributionId=distribution_id, Id=i["Id"])["Invalidation"]["InvalidationBatch"]
            for i in listed]


def revalidation_messages() -> list[dict[str, Any]]:
    return [m for m in receive() if json.loads(m["Body"])["task_type"] == "revalidate_content"]


def pending() -> list[tuple]:
    return db_rows("SELECT key, paths FROM revalidation_pending ORDER BY key")


def failures(api: Any, token: str) -> list[dict[str, Any]]:
    reply = api.get("/api/admin/tasks", token=token)
    assert reply.status == 200, reply.text
    return list(reply.json["revalidation_failures"])


# --- paths per kind of change -------------------------------------------------------------------

def test_publishing_a_post_sends_its_paths_with_the_secret(content, frontend, drain):
    content.tag("Python")
    content.series("Basics", slug="basics")
    post = content.post("First steps", status="draft", tags=["python"], series="basics")
    drain()
    assert [p for p in frontend.paths() if "/posts/first-steps" in p] == []  # a draft is nobody's page yet
    assert frontend.paths() == [{"/tags", "/tags/python"}, {"/series", "/series/basics"}]
    frontend.requests.clear()

    content.publish_toggle(post["id"])
    drain()
    [request] = frontend.to("/api/revalidate")
    assert set(request["json"]["paths"]) == LISTS | {"/posts/first-steps", "/tags/python", "/series/basics"}
    assert request["headers"]["X-Revalidate-Secret"] == SECRET
    assert request["headers"]["Idempotency-Key"] == request["json"]["reference"]
    assert pending() == []


def test_a_slug_change_purges_the_old_and_the_new_page(content, frontend, drain):
    post = content.post("Old title", slug="old-slug")
    drain()
    content.patch(post["id"], slug="new-slug")
    drain()
    assert frontend.paths()[-1] == LISTS | {"/posts/old-slug", "/posts/new-slug"}


def test_unpublish_moving_tags_and_delete(api, content, frontend, drain):
    content.tag("Go")
    content.tag("Rust")
    drain()
    frontend.requests.clear()
    post = content.post("Systems", tags=["go"])
    drain()
    content.patch(post["id"], tags=["rust"])
    drain()
    assert frontend.paths()[-1] == LISTS | {"/posts/systems", "/tags/go", "/tags/rust"}
    content.publish_toggle(post["id"])  # unpublished: every list it was on
    drain()
    assert frontend.paths()[-1] == LISTS | {"/posts/systems", "/tags/rust"}
    content.patch(post["id"], title="Still a draft")
    drain()
    assert len(frontend.paths()) == 3  # editing a draft changes no public page
    content.publish_toggle(post["id"])
    drain()
    assert api.delete(f"/api/posts/{post['id']}", token=content.token).status == 204
    drain()
    assert frontend.paths()[-1] == LISTS | {"/posts/systems", "/tags/rust"}


def test_series_and_tag_edits_and_a_tag_merge(api, content, frontend, drain):
    series = content.series("Async", slug="async")
    go, rust, python = content.tag("Go"), content.tag("Rust"), content.tag("Python")
    content.post("Loops", series="async", tags=["go"])
    content.post("Tasks", series="async", tags=["rust"])
    drain()
    frontend.requests.clear()

    assert api.patch(f"/api/series/{series['id']}", {"slug": "asyncio"}, token=content.token).status == 200
    drain()
    assert frontend.paths() == [{"/series", "/series/async", "/series/asyncio", "/posts/loops", "/posts/tasks",
                                 "/sitemap.xml"}]

    assert api.patch(f"/api/tags/{python['id']}", {"name": "CPython"}, token=content.token).status == 200
    drain()
    assert frontend.paths()[-1] == {"/tags", "/tags/python"}  # no post carries it

    merged = api.post("/api/tags/merge", {"source_ids": [go["id"]], "target_id": rust["id"]}, token=content.token)
    assert merged.status == 200, merged.text
    drain()
    assert frontend.paths()[-1] == {"/tags", "/tags/go", "/tags/rust", "/posts/loops", "/posts/tasks"}

    redirect = api.post("/api/redirects", {"old_slug": "loops-old", "new_slug": "loops"}, token=content.token)
    assert redirect.status == 201, redirect.text
    drain()
    assert frontend.paths()[-1] == {"/posts/loops-old"}

    assert api.delete(f"/api/tags/{rust['id']}", token=content.token).status == 204
    drain()
    assert frontend.paths()[-1] == {"/tags", "/tags/rust", "/posts/loops", "/posts/tasks"}
    assert api.delete(f"/api/series/{series['id']}", token=content.token).status == 204
    drain()
    assert frontend.paths()[-1] == {"/series", "/series/asyncio", "/posts/loops", "/posts/tasks", "/sitemap.xml"}


# --- coalescing ---------------------------------------------------------------------------------

def test_edits_to_one_post_before_its_task_runs_become_one_purge(content, frontend, drain):
    content.tag("Go")
    drain()
    frontend.requests.clear()
    post = content.post("Draft one", slug="draft-one")
    for title in ("Second title", "Third title"):
        content.patch(post["id"], title=title)
    content.patch(post["id"], slug="final-slug", tags=["go"])
    [(payload,)] = db_rows("SELECT payload FROM task_outbox WHERE payload->>'key' = %s", f"post:{post['id']}")
    assert set(payload["paths"]) == LISTS | {"/posts/draft-one"}  # the first change's; the row has the union
    drain()
    assert frontend.paths() == [LISTS | {"/posts/draft-one", "/posts/final-slug", "/tags/go"}]


def test_a_row_whose_task_never_came_gets_a_new_task(content, frontend, drain):
    post = content.post("Orphan")
    sqs().purge_queue(QueueUrl=queue_url())  # its task is lost (dead-lettered, say)
    content.patch(post["id"], title="Orphan still")
    drain()
    assert frontend.paths() == []  # recent: the row still waits for its own task
    db_rows("UPDATE revalidation_pending SET queued_at = now() - interval '1 hour' RETURNING key")
    content.patch(post["id"], title="Orphan rescued")
    drain()
    assert frontend.paths() == [LISTS | {"/posts/orphan"}]
    assert pending() == []


def test_an_edit_while_the_task_holds_the_row_waits_then_queues_its_own(api, content, frontend, drain):
    import os

    import psycopg

    post = content.post("Busy")
    key = f"post:{post['id']}"
    with psycopg.connect(os.environ["DATABASE_URL"]) as sender:  # stands for the task mid-send
        sender.execute("DELETE FROM revalidation_pending WHERE key = %s", (key,))
        edit = threading.Thread(target=content.patch, args=(post["id"],), kwargs={"slug": "busy-renamed"})
        edit.start()
        waiting: list[tuple] = []
        for _ in range(200):
            waiting = db_rows("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                              " AND query LIKE 'INSERT INTO revalidation_pending%%'")
            if waiting or not edit.is_alive():
                break
            time.sleep(0.05)
        assert waiting, "the edit did not wait for the row"
        sender.commit()  # the task committed: its paths are sent and gone
    edit.join(timeout=30)
    assert [k for k, _ in pending()] == [key]  # a new row, with a task of its own
    assert db_rows("SELECT count(*) FROM task_outbox WHERE payload->>'key' = %s", key) == [(2,)]
    drain()
    assert frontend.paths()[-1] == LISTS | {"/posts/busy", "/posts/busy-renamed"}


def test_the_coalescing_window_holds_the_task_back_until_the_sweep(content, receiver, settings_env, drain):
    from layers.tasks import relay

    settings_env(FRONTEND_REVALIDATE_URL=receiver.url + "/api/revalidate", REVALIDATE_COALESCE_SECONDS="60")
    post = content.post("Windowed")
    drain()
    content.patch(post["id"], title="Windowed again")
    drain()
    assert receiver.requests == []  # not due: the relay left it in the outbox
    assert relay.sweep()["sent"] == 0
    db_rows("UPDATE task_outbox SET available_at = now() WHERE task_type = 'revalidate_content' RETURNING id")
    assert relay.sweep()["sent"] == 1
    drain()
    assert receiver.paths() == [LISTS | {"/posts/windowed"}]
    assert "X-Revalidate-Secret" not in receiver.requests[0]["headers"]  # none configured


# --- retries, refusals, idempotency -------------------------------------------------------------

def test_a_5xx_fails_the_task_and_the_retry_sends_the_union(app, api, content, frontend):
    frontend.statuses = [503]
    post = content.post("Flaky")
    batch = revalidation_messages()
    assert invoke_worker(app, batch) == {batch[0]["MessageId"]}
    assert [key for key, _ in pending()] == [f"post:{post['id']}"]  # rolled back, kept for the retry
    content.patch(post["id"], slug="flaky-renamed")  # merged into the row, no second task
    make_visible(batch)

    retry = revalidation_messages()
    assert [m["Body"] for m in retry] == [batch[0]["Body"]]
    assert invoke_worker(app, retry) == set()
    first, second = frontend.paths()
    assert first == LISTS | {"/posts/flaky"}
    assert second == LISTS | {"/posts/flaky", "/posts/flaky-renamed"}
    assert pending() == []
    [failure] = failures(api, content.token)
    assert failure["target"] == "frontend" and failure["retried"] is True and "503" in failure["error"]


def test_a_timeout_fails_the_task(app, api, content, frontend, settings_env):
    settings_env(REVALIDATE_TIMEOUT_SECONDS="0.3")
    frontend.delay = 2.0
    content.post("Slow")
    batch = revalidation_messages()
    assert invoke_worker(app, batch) == {batch[0]["MessageId"]}
    assert len(pending()) == 1
    assert [f["retried"] for f in failures(api, content.token)] == [True]


def test_a_4xx_is_recorded_and_not_retried(api, content, frontend, drain):
    frontend.statuses = [401]
    content.post("Refused")
    drain()
    assert len(frontend.requests) == 1
    assert pending() == [] and queue_depths() == {"blog-tasks": 0, "blog-tasks-dlq": 0}
    [failure] = failures(api, content.token)
    assert failure["target"] == "frontend" and failure["retried"] is False and "401" in failure["error"]
    assert SECRET not in json.dumps(failure)


def test_a_refusal_then_a_failure_in_one_task(app, api, content, frontend, settings_env, monkeypatch):
    from botocore.exceptions import ClientError

    from tests.support.tasks import replace_client

    def throttled(**_kwargs: Any) -> Any:
        raise ClientError({"Error": {"Code": "Throttling", "Message": "slow down"}}, "CreateInvalidation")

    settings_env(CLOUDFRONT_DISTRIBUTION_ID="E2EXAMPLE")
    replace_client(monkeypatch, "cloudfront", create_invalidation=throttled)
    # An expired record: the refusal's pruning locks it in the task's transaction, and the
    # failure recorded apart must not wait for that transaction.
    db_rows("INSERT INTO revalidation_failures (target, retried, error, path_count, created_at)"
            " VALUES ('frontend', false, 'old', 1, now() - interval '40 days') RETURNING id")
    frontend.statuses = [404]
    content.post("Both")
    batch = revalidation_messages()
    assert invoke_worker(app, batch) == {batch[0]["MessageId"]}
    latest = failures(api, content.token)[0]
    assert latest["target"] == "cloudfront" and latest["retried"] is True and "Throttling" in latest["error"]
    assert len(pending()) == 1  # the whole task is retried, the frontend included


def test_a_redelivered_task_sends_nothing_twice(app, content, frontend, settings_env):
    distribution_id = distribution()
    settings_env(CLOUDFRONT_DISTRIBUTION_ID=distribution_id)
    content.post("Once")
    batch = revalidation_messages()
    assert invoke_worker(app, batch) == set()
    sqs().send_message(QueueUrl=queue_url(), MessageBody=batch[0]["Body"])  # at-least-once
    again = [m for m in receive() if m["Body"] == batch[0]["Body"]]
    assert len(again) == 2 and invoke_worker(app, again) == set()
    assert len(frontend.requests) == 1
    assert len(invalidations(distribution_id)) == 1


# --- CloudFront ---------------------------------------------------------------------------------

def test_cloudfront_invalidation_with_a_reference_from_the_task(app, content, frontend, settings_env):
    distribution_id = distribution()
    settings_env(CLOUDFRONT_DISTRIBUTION_ID=distribution_id)
    frontend.statuses = [500]
    content.post("Cached page")
    batch = revalidation_messages()
    assert invoke_worker(app, batch) == {batch[0]["MessageId"]}
    assert invalidations(distribution_id) == []  # the frontend goes first; CloudFront waits for it
    make_visible(batch)
    assert invoke_worker(app, revalidation_messages()) == set()
    [invalidation] = invalidations(distribution_id)
    assert set(invalidation["Paths"]["Items"]) == LISTS | {"/posts/cached-page"}
    task_id = json.loads(batch[0]["Body"])["task_id"]
    assert invalidation["CallerReference"].startswith(task_id + "-")
    assert invalidation["CallerReference"] == frontend.to("/api/revalidate")[-1]["json"]["reference"]


def test_past_the_path_cap_cloudfront_purges_everything(content, settings_env, drain):
    distribution_id = distribution()
    settings_env(CLOUDFRONT_DISTRIBUTION_ID=distribution_id, CLOUDFRONT_MAX_PATHS="3", REVALIDATE_COALESCE_SECONDS="0")
    content.post("Wide")
    drain()
    assert [b["Paths"]["Items"] for b in invalidations(distribution_id)] == [["/*"]]


def test_nothing_is_sent_when_no_target_is_configured(content, receiver, drain):
    distribution_id = distribution()
    post = content.post("Quiet")
    content.publish_toggle(post["id"])
    db_rows("UPDATE task_outbox SET available_at = now() RETURNING id")
    from layers.tasks import relay

    relay.sweep()
    drain()
    assert receiver.requests == [] and invalidations(distribution_id) == []
    assert pending() == []


# --- IndexNow after a changed sitemap -----------------------------------------------------------

def test_a_changed_sitemap_is_submitted_to_indexnow(client, content, receiver, settings_env, drain):
    settings_env(INDEXNOW_KEY="abc123key", INDEXNOW_ENDPOINT=receiver.url + "/indexnow")
    first = content.post("Alpha")
    content.post("Beta")
    drain()
    assert run_scheduled(client, "sitemap")["counts"]["indexnow_tasks"] == 1
    drain()
    [submitted] = receiver.to("/indexnow")
    assert submitted["json"] == {"host": "localhost", "key": "abc123key",
                                 "keyLocation": "http://localhost:3000/abc123key.txt",
                                 "urlList": ["http://localhost:3000/posts/alpha", "http://localhost:3000/posts/beta"]}

    assert run_scheduled(client, "sitemap")["counts"]["indexnow_tasks"] == 0  # unchanged: nothing to say
    db_rows("UPDATE posts SET updated_at = now() + interval '1 minute' WHERE id = %s RETURNING id", first["id"])
    assert run_scheduled(client, "sitemap")["counts"]["changed_urls"] == 1
    drain()
    assert receiver.to("/indexnow")[-1]["json"]["urlList"] == ["http://localhost:3000/posts/alpha"]


def test_without_a_key_the_sitemap_notifies_nobody(client, content, receiver, settings_env, drain):
    settings_env(INDEXNOW_ENDPOINT=receiver.url + "/indexnow")
    content.post("Gamma")
    result = run_scheduled(client, "sitemap")
    assert result["counts"]["indexnow_tasks"] == 0 and result["counts"]["changed_urls"] == 1
    drain()
    assert receiver.requests == []
