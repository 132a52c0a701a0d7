"""system router: health check, the OpenAPI document and its HTML rendering."""
from __future__ import annotations

import json
from typing import Any

from layers.core.aws import Clients
from layers.core.settings import Settings
from layers.http.routing import RawResponse, Router
from layers.schemas.system import Health

router = Router("system")


@router.get("/api/health", response=Health, rate_group="health", errors=(503,))
def health(settings: Settings, aws: Clients) -> dict[str, Any] | RawResponse:
    """State of the database, Redis and the task queue.

    `degraded` (still 200) when only Redis or the queue is down; 503 when the database is.
    """
    from layers.http import ratelimit
    from layers.services.health import report

    result = report(aws("sqs"), settings, ratelimit.recently_failed())
    if result["status"] == "down":
        return RawResponse(json.dumps({"detail": "database unavailable", **result}), status=503)
    return result


@router.get("/api/openapi.json", rate_group="health", media_type="application/json")
def openapi() -> RawResponse:
    """This document."""
    from layers.http.openapi import document

    return RawResponse(json.dumps(document()), headers={"Cache-Control": "public, max-age=300"})


@router.get("/api/docs", rate_group="health", media_type="text/html")
def docs() -> RawResponse:
    """The interactive API reference (Swagger UI) over this document.

    Try-it-out calls this same server. **Authorize** takes an access token; a successful
    `POST /api/auth/login` (or refresh) made from the page fills it in by itself.
    """
    from layers.http.docs_page import render

    return RawResponse(render("Blog and learning platform API"), content_type="text/html; charset=utf-8",
                       headers={"Cache-Control": "public, max-age=300"})


@router.get("/api/docs/{asset}", rate_group="health", media_type="application/javascript",
            other_media_types=("text/css",), errors=(404,))
def docs_asset(asset: str) -> RawResponse:
    """A static file of the reference page: `swagger-ui-bundle.js`, `swagger-ui.css` or `swagger-init.js`."""
    from layers.core.errors import NotFound
    from layers.http.docs_page import asset as find
    from layers.http.docs_page import cache_control

    found = find(asset)
    if found is None:
        raise NotFound(f"no docs asset named {asset!r}")
    text, content_type = found
    return RawResponse(text, content_type=content_type, headers={"Cache-Control": cache_control(asset)})
