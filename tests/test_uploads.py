"""Presigned uploads: per-kind type and size rules, the policy S3 enforces, the recorded upload."""
import base64
import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.reader import sql

MB = 1024 * 1024


def presign(api, account, kind, filename="photo.png", content_type="image/png", size=1000):
    return api.post(f"/api/uploads/{kind}", {"filename": filename, "content_type": content_type, "size": size},
                    token=account.token)


def policy_of(reply):
    return json.loads(base64.b64decode(reply.json["fields"]["policy"]))


def test_policy_pins_type_size_bucket_and_key(api, users, stack):
    alice = users.create()
    reply = presign(api, alice, "image", "My Holiday Photo.PNG", "image/png", 123_456)
    assert reply.status == 201, reply.text
    body = reply.json
    assert re.fullmatch(rf"uploads/{alice.id}/[0-9a-f]{{32}}/My-Holiday-Photo\.png", body["key"])
    assert body["fields"]["key"] == body["key"] and body["fields"]["Content-Type"] == "image/png"
    assert body["expires_in"] == 600 and body["max_bytes"] == 123_456 and body["content_type"] == "image/png"
    assert body["url"].rstrip("/").endswith("/blog-uploads")

    policy = policy_of(reply)
    conditions = policy["conditions"]
    assert {"Content-Type": "image/png"} in conditions
    assert ["content-length-range", 1, 123_456] in conditions
    assert {"bucket": "blog-uploads"} in conditions and {"key": body["key"]} in conditions
    expires = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert timedelta(minutes=8) < expires - datetime.now(timezone.utc) <= timedelta(minutes=10, seconds=5)

    [row] = sql(stack, "SELECT * FROM uploads")
    assert (row["id"], row["user_id"], row["kind"]) == (body["upload_id"], alice.id, "image")
    assert row["object_key"] == body["key"]
    assert (row["filename"], row["content_type"], row["size_bytes"]) == ("My Holiday Photo.PNG", "image/png", 123_456)


def test_the_form_uploads_the_file_to_s3(api, users):
    import requests

    from layers.core import aws

    alice = users.create()
    data = b"name,score\nada,10\n"
    reply = presign(api, alice, "data", "scores.csv", "text/csv", len(data))
    assert reply.status == 201, reply.text
    sent = requests.post(reply.json["url"], data=reply.json["fields"],
                         files={"file": ("scores.csv", data, "text/csv")}, timeout=10)
    assert sent.status_code in (200, 201, 204), sent.text
    stored = aws.client("s3").get_object(Bucket="blog-uploads", Key=reply.json["key"])
    assert stored["Body"].read() == data and stored["ContentType"] == "text/csv"


@pytest.mark.parametrize("kind, content_type, extension", [
    ("image", "image/png", "png"), ("image", "image/jpeg", "jpg"), ("image", "image/webp", "webp"),
    ("image", "image/gif", "gif"), ("pdf", "application/pdf", "pdf"), ("data", "text/csv", "csv"),
    ("data", "application/json", "json"), ("data", "application/vnd.apache.parquet", "parquet"),
    ("data", " Application/X-Parquet ", "parquet"),
])
def test_accepted_types_get_their_extension(api, users, kind, content_type, extension):
    alice = users.create()
    reply = presign(api, alice, kind, "../../etc/passwd.exe", content_type, 10)
    assert reply.status == 201, reply.text
    assert reply.json["key"].endswith(f"/passwd.{extension}")
    assert {"Content-Type": content_type.strip().lower()} in policy_of(reply)["conditions"]


@pytest.mark.parametrize("kind, content_type", [
    ("image", "image/svg+xml"), ("image", "application/pdf"), ("image", "text/html"), ("pdf", "image/png"),
    ("data", "application/x-msdownload"), ("data", "text/csv; charset=utf-8"), ("pdf", "application/PDF2"),
])
def test_other_types_are_422(api, users, kind, content_type):
    alice = users.create()
    reply = presign(api, alice, kind, "file.bin", content_type, 10)
    assert reply.status == 422
    [error] = reply.json["detail"]
    assert error["loc"] == ["body", "content_type"] and f"{kind} uploads accept" in error["msg"]


@pytest.mark.parametrize("kind, content_type, limit", [
    ("image", "image/jpeg", 5 * MB), ("pdf", "application/pdf", 20 * MB), ("data", "application/json", 50 * MB),
])
def test_size_limits(api, users, kind, content_type, limit):
    alice = users.create()
    assert presign(api, alice, kind, "f", content_type, limit).status == 201
    reply = presign(api, alice, kind, "f", content_type, limit + 1)
    assert reply.status == 413
    assert f"limited to {limit // MB} MB" in reply.json["detail"]
    assert presign(api, alice, kind, "f", content_type, 10**40).status == 413


@pytest.mark.parametrize("body", [
    {}, {"filename": "a.png", "content_type": "image/png"}, {"filename": "a.png", "size": 10},
    {"filename": "", "content_type": "image/png", "size": 10},
    {"filename": "x" * 256, "content_type": "image/png", "size": 10},
    {"filename": "a\x00.png", "content_type": "image/png", "size": 10},
    {"filename": "a.png", "content_type": "image/png", "size": 0},
    {"filename": "a.png", "content_type": "image/png", "size": -1},
    {"filename": "a.png", "content_type": "image/png", "size": "10"},
    {"filename": "a.png", "content_type": "image/png", "size": True},
    {"filename": "a.png", "content_type": "image/png", "size": 1.5},
    {"filename": "a.png", "content_type": "", "size": 10},
    {"filename": "a.png", "content_type": "image/png", "size": 10, "bucket": "other"},
    {"filename": ["a.png"], "content_type": "image/png", "size": 10},
])
def test_bad_bodies_are_422(api, users, body):
    alice = users.create()
    assert api.post("/api/uploads/image", body, token=alice.token).status == 422


def test_odd_filenames_are_sanitised(api, users):
    alice = users.create()
    for filename, expected in (("\u65e5\u672c\u8a9e.png", "file.pdf"),
                               ("r\u00e9sum\u00e9 (final).pdf", "resume-final.pdf"),
                               ("'; DROP TABLE uploads; --.pdf", "DROP-TABLE-uploads.pdf"), ("...", "file.pdf")):
        reply = presign(api, alice, "pdf", filename, "application/pdf", 10)
        assert reply.status == 201 and reply.json["key"].rsplit("/", 1)[1] == expected, filename


def test_uploads_need_a_signed_in_user(api):
    for kind in ("image", "pdf", "data"):
        assert api.post(f"/api/uploads/{kind}", {"filename": "a", "content_type": "image/png", "size": 1}).status == 401
    video = api.post("/api/uploads/video", {"filename": "a", "content_type": "video/mp4", "size": 1})
    assert video.status in (403, 404)


def test_presigned_posts_are_signed_with_sigv4(api, users):
    alice = users.create()
    reply = api.post("/api/uploads/image", {"filename": "a.png", "content_type": "image/png", "size": 10},
                     token=alice.token)
    assert reply.status == 201, reply.text
    fields = reply.json["fields"]
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256" and "x-amz-signature" in fields
    assert "AWSAccessKeyId" not in fields
