"""Chalice's local HTTP server, with the contract's error shape at every edge.

On AWS, the template's Gateway Responses turn "no such route" (API Gateway's 403 Missing
Authentication Token) into 404 ``{"detail": "Not Found"}``; this does the same locally so the
frontend sees one behaviour. Beyond that, every answer this server produces itself — Chalice's
405/415 (``{"Code", "Message"}``), http.server's 400/414/431/501 pages — is ``{"detail"}`` JSON
with an ``X-Request-ID``, a HEAD answer has no body (one would corrupt the next response on a
kept-alive connection), the listen backlog absorbs bursts, and Nagle is off so a kept-alive
request is not held back by delayed ACKs. The request context's ``identity.sourceIp`` is the TCP
peer's address, as API Gateway's is, so per-IP rate limits count each local client apart.

At most ``DB_POOL_MAX`` requests run at once; the others wait their turn. On AWS every request in
flight has a function instance, and so a connection, of its own; here one process serves them all
from one pool, and a burst larger than the pool would otherwise wait out the pool's checkout
timeout and answer 503 "database unavailable" although nothing is down.
"""
from __future__ import annotations

import json
import threading
from http import HTTPStatus
from typing import Any

from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    LocalChalice,
    LocalDevServer,
    LocalGatewayException,
    ThreadedHTTPServer,
)

from layers.http.middleware import SECURITY_HEADERS, request_id_from

_ROUTE_MISSING = (b"Missing Authentication Token", b"Authorization header requires")


class _Server(ThreadedHTTPServer):
    request_queue_size = 128  # socketserver's default of 5 drops connections in a burst


class _ContractHandler(ChaliceRequestHandler):
    disable_nagle_algorithm = True
    in_flight: threading.BoundedSemaphore  # set per server by local_server

    def _generic_handle(self) -> None:
        with self.in_flight:
            super()._generic_handle()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

    def setup(self) -> None:
        # Chalice's local gateway puts a fixed 127.0.0.1 in every event, which makes every local
        # client one rate-limit bucket. Each connection has its own gateway (built in __init__,
        # before setup), so its converter can carry this peer's address. Headers such as
        # X-Forwarded-For are the client's to forge and are not consulted.
        super().setup()
        self.local_gateway.event_converter.LOCAL_SOURCE_IP = self.client_address[0]

    def _send_error_response(self, error: LocalGatewayException) -> None:
        # Chalice's local gateway answers an unknown route with API Gateway's 403, which with a
        # bearer token also echoes the token: both are the contract's 404.
        if error.CODE == 403 and any(marker in (error.body or b"") for marker in _ROUTE_MISSING):
            self._send_http_response(404, {"Content-Type": "application/json"}, b'{"detail":"Not Found"}')
            return
        super()._send_error_response(error)

    def _send_http_response(self, code: int, headers: Any, body: str | bytes | None) -> None:
        headers = dict(headers)
        body = _detail_shaped(body)
        if not any(k.lower() == "x-request-id" for k in headers):
            headers["X-Request-ID"] = request_id_from(dict(self.headers or {}))
        if self.command == "HEAD" and body is not None:
            raw = body if isinstance(body, bytes) else body.encode()
            self.send_response(code)
            self.send_header("Content-Length", str(len(raw)))
            self._send_headers(headers)
            return
        super()._send_http_response(code, headers, body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # http.server's own errors (unknown method, oversized header, bad request line) as JSON.
        try:
            reason = HTTPStatus(code).phrase
        except ValueError:
            reason = "Error"
        body = json.dumps({"detail": message or reason}).encode()
        self.send_response(code, message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.send_header("X-Request-ID", request_id_from(dict(getattr(self, "headers", None) or {})))
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        self.close_connection = True
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)


def _detail_shaped(body: str | bytes | None) -> str | bytes | None:
    """Chalice's ``{"Code": ..., "Message": ...}`` errors become ``{"detail": Message}``."""
    if not body or not (body[:1] == b"{" or body[:1] == "{"):
        return body
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if isinstance(data, dict) and set(data) == {"Code", "Message"}:
        return json.dumps({"detail": data["Message"]})
    return body


def local_server(app: Any, host: str, port: int) -> LocalDevServer:
    if not isinstance(app, CustomLocalChalice):  # what chalice.local.create_local_server does
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
    from layers.core.settings import get_settings

    handler = type("Handler", (_ContractHandler,), {"in_flight": threading.BoundedSemaphore(get_settings().db_pool_max)})
    return LocalDevServer(app, Config(chalice_stage="local"), host, port,
                          handler_cls=handler, server_cls=_Server)
