"""A fake OpenID Connect provider on loopback: token endpoint with PKCE checks, and a JWKS.

The app talks to it over real HTTP through the same settings it uses for Google.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "test-client.apps.example.com"
CLIENT_SECRET = "test-client-secret"
ISSUER = "https://accounts.fake-idp.test"


@functools.lru_cache(maxsize=1)
def _signing_key() -> Any:
    # Generating a 2048-bit key costs ~100 ms; one per test session is enough.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Grant:
    challenge: str
    redirect_uri: str
    claims: dict[str, Any]


@dataclass
class FakeOidcProvider:
    key: Any = field(default_factory=_signing_key)
    kid: str = "test-key-1"
    grants: dict[str, Grant] = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def settings(self) -> dict[str, str]:
        return {
            "GOOGLE_CLIENT_ID": CLIENT_ID, "GOOGLE_CLIENT_SECRET": CLIENT_SECRET,
            "GOOGLE_AUTHORIZATION_ENDPOINT": f"{self.base_url}/authorize",
            "GOOGLE_TOKEN_ENDPOINT": f"{self.base_url}/token",
            "GOOGLE_JWKS_URI": f"{self.base_url}/jwks", "GOOGLE_ISSUER": ISSUER,
        }

    def authorize(self, authorization_url: str, **claims: Any) -> tuple[str, str]:
        """What the browser round trip yields: (code, state) for a user with ``claims``."""
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorization_url).query))
        assert query["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        base = {"sub": "google-sub-1", "email": "g.user@example.com", "email_verified": True, "name": "G User",
                "nonce": query["nonce"]}
        self.grants[code] = Grant(query["code_challenge"], query["redirect_uri"], {**base, **claims})
        return code, query["state"]

    def id_token(self, claims: dict[str, Any], key: Any = None) -> str:
        now = int(time.time())
        body = {"iss": ISSUER, "aud": CLIENT_ID, "iat": now, "exp": now + 600, **claims}
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def start(self) -> FakeOidcProvider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._send(200, provider.jwks()) if self.path == "/jwks" else self._send(404, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                self._send(*provider.exchange(form))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def exchange(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return 401, {"error": "invalid_client"}
        grant = self.grants.pop(form.get("code", ""), None)
        if grant is None or form.get("grant_type") != "authorization_code":
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
        if challenge != grant.challenge or form.get("redirect_uri") != grant.redirect_uri:
            return 400, {"error": "invalid_grant"}
        return 200, {"access_token": "x", "token_type": "Bearer", "id_token": self.id_token(grant.claims)}

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
