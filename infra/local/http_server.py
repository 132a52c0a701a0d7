"""Chalice's local HTTP server, with API Gateway's own errors in the contract's shape.

On AWS, the template's Gateway Responses turn "no such route" (API Gateway's 403 Missing
Authentication Token) into 404 ``{"detail": "Not Found"}``; this does the same locally so the
frontend sees one behaviour.
"""
from __future__ import annotations

import functools
import json
from typing import Any

from chalice.config import Config
from chalice.local import ChaliceRequestHandler, LocalDevServer, LocalGatewayException, create_local_server


class _ContractErrorsHandler(ChaliceRequestHandler):
    def _send_error_response(self, error: LocalGatewayException) -> None:
        if error.CODE == 403 and b"Missing Authentication Token" in (error.body or b""):
            body = json.dumps({"detail": "Not Found"}).encode()
            self._send_http_response(404, {"Content-Type": "application/json"}, body)
            return
        super()._send_error_response(error)


def local_server(app: Any, host: str, port: int) -> LocalDevServer:
    config = Config(chalice_stage="local")
    server = create_local_server(app, config, host, port)
    server.server.RequestHandlerClass = functools.partial(  # same handler, contract-shaped errors
        _ContractErrorsHandler, app_object=server.app_object, config=config)
    return server
