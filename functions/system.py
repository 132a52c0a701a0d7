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
    """The API reference as an HTML page."""
    from layers.http.docs_page import render
    from layers.http.openapi import document

    return RawResponse(render(document()), content_type="text/html; charset=utf-8",
                       headers={"Cache-Control": "public, max-age=300"})
