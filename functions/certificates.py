"""certificates router: series completion certificates and their public verification."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.settings import Settings
from layers.http.routing import RawResponse, Router
from layers.schemas.certificates import CertificateOut
from layers.services.learning import certificate_codes, certificate_page, certificates

router = Router("certificates")


def _key(settings: Settings) -> bytes:
    secret = settings.certificate_secret
    return certificate_codes.signing_key(secret.get_secret_value() if secret else None,
                                         settings.jwt_secret.get_secret_value())


def _out(row: dict[str, Any], settings: Settings) -> dict[str, Any]:
    return {**row, **certificates.links(row["code"], settings.frontend_origin, settings.public_api_url),
            "series": {"id": row["series_id"], "slug": row["series_slug"], "title": row["series_title"]}}


@router.post("/api/certificates/{series_id}", auth="user", response=CertificateOut, errors=(403, 404))
def claim(db: Db, user: CurrentUser, series_id: int, settings: Settings) -> dict[str, Any]:
    """Issue one's certificate for a series whose published posts are all read (403 naming the
    unread ones before that). Claiming again returns the same certificate."""
    return _out(certificates.issue(db, user.id, series_id, _key(settings)), settings)


@router.get("/api/certificates/verify/{code}", response=CertificateOut, errors=(404,))
def verify(db: Db, code: str, settings: Settings) -> dict[str, Any]:
    """Holder name, series and issue date of a certificate; an unknown or forged code is 404."""
    return _out(certificates.verify(db, code, _key(settings)), settings)


@router.get("/api/certificates/print/{code}", errors=(404,), media_type="text/html")
def printable(db: Db, code: str, settings: Settings) -> RawResponse:
    """The certificate as a printable HTML page (A4 landscape)."""
    row = _out(certificates.verify(db, code, _key(settings)), settings)
    return RawResponse(certificate_page.render(row, row["url"]), content_type="text/html; charset=utf-8")
