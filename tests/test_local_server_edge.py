"""The local HTTP server's own edge: every answer in the contract's shape, over real sockets."""
from __future__ import annotations

import http.client
import json
import socket
import threading
from urllib.parse import urlsplit


def _conn(live_server: str) -> http.client.HTTPConnection:
    parts = urlsplit(live_server)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)


def test_head_has_no_body_and_the_next_response_on_the_connection_is_intact(live_server):
    conn = _conn(live_server)
    conn.request("HEAD", "/api/health")
    head = conn.getresponse()
    assert head.status in (200, 405) and head.read() == b""
    conn.request("GET", "/api/health")
    after = conn.getresponse()
    assert after.status == 200 and json.loads(after.read())["status"] in ("ok", "degraded")
    conn.close()


def test_method_not_allowed_and_unsupported_media_type_use_the_detail_shape(live_server):
    conn = _conn(live_server)
    conn.request("PUT", "/api/health", body=b"{}", headers={"Content-Type": "application/json"})
    reply = conn.getresponse()
    body = json.loads(reply.read())
    assert reply.status == 405 and set(body) == {"detail"} and reply.getheader("X-Request-ID")
    conn.request("POST", "/api/auth/login", body=b"x", headers={"Content-Type": "application/xml"})
    reply = conn.getresponse()
    body = json.loads(reply.read())
    assert reply.status == 415 and set(body) == {"detail"}
    conn.close()


def test_unknown_methods_and_oversized_headers_answer_json(live_server):
    for method in ("TRACE", "PROPFIND"):
        conn = _conn(live_server)
        conn.request(method, "/api/health")
        reply = conn.getresponse()
        assert reply.status == 501 and reply.getheader("Content-Type") == "application/json"
        assert set(json.loads(reply.read())) == {"detail"} and reply.getheader("X-Request-ID")
        conn.close()
    conn = _conn(live_server)
    conn.putrequest("GET", "/api/health")
    conn.putheader("X-Big", "a" * 70_000)
    conn.endheaders()
    reply = conn.getresponse()
    assert reply.status == 431 and "detail" in json.loads(reply.read())
    conn.close()


def test_unknown_paths_answer_404_with_a_request_id_and_never_echo_the_token(live_server):
    conn = _conn(live_server)
    conn.request("GET", "/api/nope", headers={"Authorization": "Bearer secret-token-value", "X-Request-ID": "rid-1"})
    reply = conn.getresponse()
    raw = reply.read()
    assert reply.status == 404 and json.loads(raw) == {"detail": "Not Found"}
    assert b"secret-token-value" not in raw and reply.getheader("X-Request-ID") == "rid-1"
    conn.close()


def test_cors_preflight_carries_a_request_id(live_server):
    conn = _conn(live_server)
    conn.request("OPTIONS", "/api/posts", headers={"Origin": "http://localhost:3000",
                                                   "Access-Control-Request-Method": "GET"})
    reply = conn.getresponse()
    reply.read()
    assert reply.status == 200 and reply.getheader("X-Request-ID")
    conn.close()


def test_a_burst_of_connections_is_answered_in_full(live_server):
    parts = urlsplit(live_server)
    statuses: list[int] = []
    lock = threading.Lock()

    def one() -> None:
        with socket.create_connection((parts.hostname, parts.port), timeout=20) as sock:
            sock.sendall(b"GET /api/openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        with lock:
            statuses.append(int(data.split(b" ", 2)[1]))

    threads = [threading.Thread(target=one) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [200] * 50
