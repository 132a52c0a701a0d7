"""uploads router: presigned S3 uploads of images, PDFs and data files."""
from __future__ import annotations

from typing import Any

from layers.core.aws import Clients as Aws
from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.settings import Settings
from layers.http.docstrings import described
from layers.http.routing import Router
from layers.schemas.uploads import UploadIn, UploadOut
from layers.services.uploads import MB, RULES

router = Router("uploads")
_ERRORS = (413, 503)


def _accepts(kind: str) -> str:
    """The kind's content types and size limit, in words, from the rule the service enforces."""
    rule = RULES[kind]
    types = [f"``{content_type}``" for content_type in rule.extensions]
    listed = types[0] if len(types) == 1 else f"{', '.join(types[:-1])} or {types[-1]}"
    return f"{listed}, at most {rule.max_bytes // MB} MB"


def _create(db: Db, user: CurrentUser, settings: Settings, aws: Aws, kind: str, body: UploadIn) -> dict[str, Any]:
    from layers.services import uploads

    return uploads.create(db, aws("s3"), settings.uploads_bucket, user.id, kind, body)


@router.post("/api/uploads/image", auth="user", body=UploadIn, response=UploadOut, status=201, errors=_ERRORS)
@described(accepts=_accepts("image"))
def upload_image(db: Db, user: CurrentUser, settings: Settings, aws: Aws, body: UploadIn) -> dict[str, Any]:
    """Presigned upload of an image: {accepts}.

    Declare ``{filename, content_type, size}``; then POST a multipart form to ``url`` with every
    entry of ``fields`` followed by the ``file``. S3 accepts exactly the declared Content-Type and
    between 1 byte and the declared size, within ``expires_in`` seconds. Another type: 422 on
    ``content_type``; over the limit: 413. The object key is
    ``uploads/{user_id}/{random}/{sanitised filename}`` with the extension of the content type.
    """
    return _create(db, user, settings, aws, "image", body)


@router.post("/api/uploads/pdf", auth="user", body=UploadIn, response=UploadOut, status=201, errors=_ERRORS)
@described(accepts=_accepts("pdf"))
def upload_pdf(db: Db, user: CurrentUser, settings: Settings, aws: Aws, body: UploadIn) -> dict[str, Any]:
    """Presigned upload of a PDF: {accepts}; see the image upload."""
    return _create(db, user, settings, aws, "pdf", body)


@router.post("/api/uploads/data", auth="user", body=UploadIn, response=UploadOut, status=201, errors=_ERRORS)
@described(accepts=_accepts("data"))
def upload_data(db: Db, user: CurrentUser, settings: Settings, aws: Aws, body: UploadIn) -> dict[str, Any]:
    """Presigned upload of a data file: {accepts}; see the image upload."""
    return _create(db, user, settings, aws, "data", body)
