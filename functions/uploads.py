"""uploads router: presigned S3 uploads of images, PDFs and data files."""
from __future__ import annotations

from typing import Any

from layers.core.aws import Clients as Aws
from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.settings import Settings
from layers.http.routing import Router
from layers.schemas.uploads import UploadIn, UploadOut

router = Router("uploads")
_ERRORS = (413, 503)


def _create(db: Db, user: CurrentUser, settings: Settings, aws: Aws, kind: str, body: UploadIn) -> dict[str, Any]:
    from layers.services import uploads

    return uploads.create(db, aws("s3"), settings.uploads_bucket, user.id, kind, body)


@router.post("/api/uploads/image", auth="user", body=UploadIn, response=UploadOut, status=201, errors=_ERRORS)
def upload_image(db: Db, user: CurrentUser, settings: Settings, aws: Aws, body: UploadIn) -> dict[str, Any]:
    """Presigned upload of an image: ``image/png``, ``image/jpeg``, ``image/webp`` or ``image/gif``,
    at most 5 MB.

    Declare ``{filename, content_type, size}``; then POST a multipart form to ``url`` with every
    entry of ``fields`` followed by the ``file``. S3 accepts exactly the declared Content-Type and
    between 1 byte and the declared size, within ``expires_in`` seconds. Another type: 422 on
    ``content_type``; over the limit: 413. The object key is
    ``uploads/{user_id}/{random}/{sanitised filename}`` with the extension of the content type.
    """
    return _create(db, user, settings, aws, "image", body)


@router.post("/api/uploads/pdf", auth="user", body=UploadIn, response=UploadOut, status=201, errors=_ERRORS)
def upload_pdf(db: Db, user: CurrentUser, settings: Settings, aws: Aws, body: UploadIn) -> dict[str, Any]:
    """Presigned upload of a PDF (``application/pdf``), at most 20 MB; see the image upload."""
    return _create(db, user, settings, aws, "pdf", body)


@router.post("/api/uploads/data", auth="user", body=UploadIn, response=UploadOut, status=201, errors=_ERRORS)
def upload_data(db: Db, user: CurrentUser, settings: Settings, aws: Aws, body: UploadIn) -> dict[str, Any]:
    """Presigned upload of a data file: ``text/csv``, ``application/json``,
    ``application/vnd.apache.parquet`` or ``application/x-parquet``, at most 50 MB; see the image upload."""
    return _create(db, user, settings, aws, "data", body)
