"""uploads router: presigned S3 uploads of images, PDFs and data files."""
from __future__ import annotations

from layers.core import db
from layers.core.settings import get_settings
from layers.http.context import RequestContext
from layers.http.routing import Router
from layers.schemas.reader import UploadIn, UploadOut

router = Router("uploads")
_ERRORS = (413, 503)


def _create(ctx: RequestContext, kind: str, body: UploadIn) -> dict:
    from layers.core import aws
    from layers.services import uploads

    with db.connection() as conn:
        return uploads.create(conn, aws.client("s3"), get_settings().uploads_bucket, user_id=ctx.require_user().id,
                              kind=kind, filename=body.filename, content_type=body.content_type, size=body.size)


@router.post("/api/uploads/image", auth="user", body=UploadIn, response=UploadOut, status=201, errors=_ERRORS)
def upload_image(ctx: RequestContext, body: UploadIn) -> dict:
    """Presigned upload of an image: ``image/png``, ``image/jpeg``, ``image/webp`` or ``image/gif``,
    at most 5 MB.

    Declare ``{filename, content_type, size}``; then POST a multipart form to ``url`` with every
    entry of ``fields`` followed by the ``file``. S3 accepts exactly the declared Content-Type and
    between 1 byte and the declared size, within ``expires_in`` seconds. Another type: 422 on
    ``content_type``; over the limit: 413. The object key is
    ``uploads/{user_id}/{random}/{sanitised filename}`` with the extension of the content type.
    """
    return _create(ctx, "image", body)


@router.post("/api/uploads/pdf", auth="user", body=UploadIn, response=UploadOut, status=201, errors=_ERRORS)
def upload_pdf(ctx: RequestContext, body: UploadIn) -> dict:
    """Presigned upload of a PDF (``application/pdf``), at most 20 MB; see the image upload."""
    return _create(ctx, "pdf", body)


@router.post("/api/uploads/data", auth="user", body=UploadIn, response=UploadOut, status=201, errors=_ERRORS)
def upload_data(ctx: RequestContext, body: UploadIn) -> dict:
    """Presigned upload of a data file: ``text/csv``, ``application/json``,
    ``application/vnd.apache.parquet`` or ``application/x-parquet``, at most 50 MB; see the image upload."""
    return _create(ctx, "data", body)
