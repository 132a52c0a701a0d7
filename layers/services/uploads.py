"""Presigned S3 uploads: the browser sends the file straight to S3, never through a Lambda.

What was declared is what S3 will accept: the presigned POST's policy pins the exact
``Content-Type`` and a ``content-length-range`` of 1 to the declared size, so a client cannot
declare a small PNG and then upload a large executable. (The local emulator does not enforce
policies; the tests decode the policy to check it.)
"""
from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

from layers.core.db import Db
from layers.core.errors import DependencyUnavailable, PayloadTooLarge, ValidationFailed
from layers.schemas.uploads import UploadIn

MB = 1024 * 1024
PRESIGN_TTL_SECONDS = 600
_STEM_MAX = 100


@dataclass(frozen=True)
class UploadRule:
    kind: str
    extensions: dict[str, str]  # accepted content type -> extension the stored key gets
    max_bytes: int


RULES: dict[str, UploadRule] = {
    "image": UploadRule("image", {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp",
                                  "image/gif": "gif"}, 5 * MB),
    "pdf": UploadRule("pdf", {"application/pdf": "pdf"}, 20 * MB),
    "data": UploadRule("data", {"text/csv": "csv", "application/json": "json",
                                "application/vnd.apache.parquet": "parquet",
                                "application/x-parquet": "parquet"}, 50 * MB),
}


def check(rule: UploadRule, content_type: str, size: int) -> None:
    """422 for a type the kind does not accept, 413 for a declared size over the kind's limit."""
    if content_type not in rule.extensions:
        raise ValidationFailed([{"loc": ["body", "content_type"],
                                 "msg": f"{rule.kind} uploads accept {', '.join(rule.extensions)}",
                                 "type": "value_error"}])
    if size > rule.max_bytes:
        raise PayloadTooLarge(f"{rule.kind} uploads are limited to {rule.max_bytes // MB} MB "
                              f"({rule.max_bytes} bytes); the declared size is {size} bytes")


def safe_filename(filename: str, extension: str) -> str:
    """An ASCII, path-free name whose extension matches the content type: ``../My Photo.JPG`` -> ``My-Photo.jpg``."""
    base = re.split(r"[\\/]", filename)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_stem).strip("-_")[:_STEM_MAX].strip("-_")
    return f"{cleaned or 'file'}.{extension}"


def create(conn: Db, s3: Any, bucket: str, user_id: int, kind: str, upload: UploadIn) -> dict[str, Any]:
    """Record the upload and presign the form that lets the browser send exactly what was declared."""
    rule = RULES[kind]
    check(rule, upload.content_type, upload.size)
    name = safe_filename(upload.filename, rule.extensions[upload.content_type])
    key = f"uploads/{user_id}/{uuid.uuid4().hex}/{name}"
    form = _presign(s3, bucket, key, upload.content_type, upload.size)
    row = conn.execute(
        "INSERT INTO uploads (user_id, kind, object_key, filename, content_type, size_bytes)"
        " VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
        (user_id, kind, key, upload.filename, upload.content_type, upload.size),
    ).fetchone()
    assert row is not None  # INSERT ... RETURNING always yields the row
    return {"upload_id": row["id"], "url": form["url"], "fields": form["fields"], "key": key,
            "content_type": upload.content_type, "max_bytes": upload.size, "expires_in": PRESIGN_TTL_SECONDS}


def _presign(s3: Any, bucket: str, key: str, content_type: str, size: int) -> dict[str, Any]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        form: dict[str, Any] = s3.generate_presigned_post(
            Bucket=bucket, Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, size]],
            ExpiresIn=PRESIGN_TTL_SECONDS,
        )
    except (BotoCoreError, ClientError) as exc:
        raise DependencyUnavailable("uploads are unavailable right now") from exc
    return form
