"""The one error mapper: domain errors to FastAPI-shaped JSON responses.

Anything that is not an ``AppError`` becomes a bare 500 ``{"detail": "Internal Server Error"}``;
the exception and the request id go to the log, never to the caller.
"""
from __future__ import annotations

import json
import sys
from typing import Any

from layers.core.errors import AppError, DatabaseUnavailable, DependencyUnavailable, RateLimited, Redirect, ValidationFailed
from layers.core.logging import get_logger
from layers.core.uow import is_conflict

log = get_logger("http.errors")

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Any:
    from chalice.app import Response

    return Response(
        body=json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        status_code=status,
        headers={**JSON_HEADERS, **(headers or {})},
    )


def error_response(exc: BaseException) -> Any:
    if isinstance(exc, ValidationFailed):
        return json_response(422, {"detail": exc.errors})
    if isinstance(exc, Redirect):
        return json_response(301, {"detail": exc.detail, "location": exc.location},
                             {"Location": exc.location})
    if isinstance(exc, RateLimited):
        return json_response(429, {"detail": exc.detail}, {"Retry-After": str(exc.retry_after)})
    if is_conflict(exc):
        # Retried by the unit of work and still conflicting: the database is fine, the request
        # met concurrent ones on the same rows. Sending it again is safe (nothing was written).
        log.warning("transaction conflict persisted after retries", extra={"sqlstate": getattr(exc, "sqlstate", None)})
        return json_response(409, {"detail": "the request conflicted with concurrent changes to the same data; "
                                             "nothing was saved, send it again"}, {"Retry-After": "1"})
    if _is_lost_database(exc):
        log.warning("database connection lost during the request", extra={"error": type(exc).__name__})
        exc = DatabaseUnavailable()
    if isinstance(exc, DependencyUnavailable) and exc.retry_after is not None:
        return json_response(503, {"detail": exc.detail}, {"Retry-After": str(exc.retry_after)})
    if isinstance(exc, AppError):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return json_response(exc.status_code, {"detail": exc.detail}, headers)
    if _is_rejected_value(exc):
        # Validation should have caught it; the database is the last line, and still a 4xx.
        log.warning("database rejected a value", extra={"error": type(exc).__name__})
        return json_response(400, {"detail": "the request contains a value that cannot be stored"})
    log.error("unhandled error", exc_info=exc)
    return json_response(500, {"detail": "Internal Server Error"})


def _is_lost_database(exc: BaseException) -> bool:
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(exc, psycopg.OperationalError)


def _is_rejected_value(exc: BaseException) -> bool:
    psycopg = sys.modules.get("psycopg")  # only loaded by functions that query
    if psycopg is None:
        return False
    return isinstance(exc, (psycopg.errors.DataError, psycopg.errors.CheckViolation))


def pydantic_errors(exc: Any, location: str) -> list[dict[str, Any]]:
    """FastAPI's 422 items from a pydantic ``ValidationError``.

    The rejected ``input`` is left out on purpose: it may be a password.
    """
    items = []
    for err in exc.errors(include_url=False, include_input=False, include_context=False):
        items.append({"loc": [location, *err["loc"]], "msg": err["msg"], "type": err["type"]})
    return items
