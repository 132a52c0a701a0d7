"""App-level HTTP middleware: request id, access log, security headers.

Errors are already mapped by the route decorator; this wraps every route response with the
headers the contract requires (``X-Request-ID`` on every response) and a one-line access log.
"""
from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from layers.core.logging import get_logger, request_id_var

log = get_logger("http.access")
# Printable ASCII only: the id is echoed in a header and written to the logs.
_VALID_REQUEST_ID = re.compile(r"^[\x21-\x7e][\x20-\x7e]{0,199}$")

SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def request_id_from(headers: dict[str, str]) -> str:
    """Echo the client's id when it is printable ASCII of sane length, else mint one."""
    candidate = next((v for k, v in headers.items() if k.lower() == "x-request-id"), "")
    return candidate if _VALID_REQUEST_ID.match(candidate or "") else uuid.uuid4().hex


def http_middleware(event: Any, get_response: Callable[[Any], Any]) -> Any:
    request_id = request_id_from(dict(event.headers or {}))
    token = request_id_var.set(request_id)
    started = time.perf_counter()
    try:
        response = get_response(event)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers["X-Request-ID"] = request_id
        log.info("request", extra={
            "method": event.method, "path": event.path, "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        })
        return response
    finally:
        request_id_var.reset(token)
