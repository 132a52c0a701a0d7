"""A thin JSON wrapper over ``chalice.test.Client`` (requests go through the real gateway code)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def text(self) -> str:
        return self.body.decode()

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


class Api:
    def __init__(self, client: Any) -> None:
        self._http = client.http

    def request(self, method: str, path: str, *, json_body: Any = None, body: bytes | str | None = None,
                token: str | None = None, headers: dict[str, str] | None = None) -> Reply:
        hdrs = {"Content-Type": "application/json"}
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        hdrs.update(headers or {})
        if json_body is not None:
            body = json.dumps(json_body)
        resp = self._http.request(method=method, path=path, headers=hdrs, body=body or b"")
        raw = resp.body if isinstance(resp.body, bytes) else (resp.body or "").encode()
        return Reply(resp.status_code, dict(resp.headers), raw)

    def get(self, path: str, **kw: Any) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Reply:
        return self.request("POST", path, json_body=json, **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> Reply:
        return self.request("PATCH", path, json_body=json, **kw)

    def put(self, path: str, json: Any = None, **kw: Any) -> Reply:
        return self.request("PUT", path, json_body=json, **kw)

    def delete(self, path: str, **kw: Any) -> Reply:
        return self.request("DELETE", path, **kw)
