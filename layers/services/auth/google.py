"""Google sign-in: authorization-code flow with PKCE, state and nonce kept in Redis.

The state is single use (GETDEL) and lives 10 minutes. The ID token is verified against the
provider's published keys (signature, issuer, audience, expiry, nonce). Endpoints come from
settings, so tests point them at a fake provider on loopback. Redis and settings come from the
caller (the composition root's providers), never from module globals.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Any

from layers.core.db import Db
from layers.core.errors import BadRequest, DependencyUnavailable
from layers.core.settings import Settings
from layers.services import users
from layers.services.auth import tokens

if TYPE_CHECKING:
    from redis import Redis

STATE_TTL_SECONDS = 600
_STATE_PREFIX = "oauth-state:"


def _require_configured(settings: Settings) -> str:
    """The client secret; 503 when Google sign-in is not configured."""
    if not settings.google_client_id or not settings.google_client_secret:
        raise DependencyUnavailable("Google sign-in is not configured on this server")
    return settings.google_client_secret.get_secret_value()


def start(settings: Settings, redis: Redis) -> str:
    """Store a fresh state (with PKCE verifier and nonce) and return the authorization URL."""
    _require_configured(settings)
    state, verifier, nonce = (secrets.token_urlsafe(32), secrets.token_urlsafe(64), secrets.token_urlsafe(16))
    try:
        redis.set(_STATE_PREFIX + state, json.dumps({"verifier": verifier, "nonce": nonce}),
                        ex=STATE_TTL_SECONDS)
    except Exception as exc:
        raise DependencyUnavailable("sign-in with Google is temporarily unavailable") from exc
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urllib.parse.urlencode({
        "client_id": settings.google_client_id,
        "redirect_uri": settings.google_redirect_uri,
        "response_type": "code",
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "prompt": "select_account",
    })
    return f"{settings.google_authorization_endpoint}?{query}"


def callback(conn: Db, settings: Settings, redis: Redis, *, code: str, state: str) -> dict[str, Any]:
    secret = _require_configured(settings)
    saved = _take_state(redis, state)
    id_token = _exchange_code(settings, secret, code, saved["verifier"])
    claims = _verify_id_token(settings, id_token, saved["nonce"])
    user_id, role = _find_or_create_user(conn, settings, claims)
    return tokens.token_pair(conn, settings, user_id, role)


def _take_state(redis: Redis, state: str) -> dict[str, str]:
    try:
        raw = redis.getdel(_STATE_PREFIX + state)
    except Exception as exc:
        raise DependencyUnavailable("sign-in with Google is temporarily unavailable") from exc
    if raw is None:
        raise BadRequest("unknown, expired or already used state")
    saved: dict[str, str] = json.loads(str(raw))
    return saved


def _exchange_code(settings: Settings, secret: str, code: str, verifier: str) -> str:
    form = urllib.parse.urlencode({
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": settings.google_redirect_uri,
        "client_id": settings.google_client_id,
        "client_secret": secret,
        "code_verifier": verifier,
    }).encode()
    request = urllib.request.Request(settings.google_token_endpoint, data=form, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = json.load(response)
    except urllib.error.HTTPError as exc:
        if 400 <= exc.code < 500:
            raise BadRequest("authorization code was rejected by Google") from exc
        raise DependencyUnavailable("Google did not answer; try again") from exc
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        raise DependencyUnavailable("Google did not answer; try again") from exc
    if not isinstance(body, dict) or "id_token" not in body:
        raise BadRequest("Google returned no ID token")
    return str(body["id_token"])


@functools.lru_cache(maxsize=4)
def _jwks_client(uri: str) -> Any:
    import jwt

    return jwt.PyJWKClient(uri, cache_keys=True, lifespan=3600, timeout=10)


def _verify_id_token(settings: Settings, id_token: str, nonce: str) -> dict[str, Any]:
    import jwt

    try:
        key = _jwks_client(settings.google_jwks_uri).get_signing_key_from_jwt(id_token)
        claims = jwt.decode(
            id_token, key.key, algorithms=["RS256"], audience=settings.google_client_id,
            issuer=settings.google_issuer, options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            leeway=30,
        )
    except jwt.PyJWKClientConnectionError as exc:
        raise DependencyUnavailable("could not fetch Google's signing keys") from exc
    except jwt.PyJWTError as exc:
        raise BadRequest("Google ID token failed verification") from exc
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise BadRequest("Google ID token failed verification")
    if not claims.get("email") or claims.get("email_verified") is not True:
        raise BadRequest("Google account has no verified email")
    return claims


def _find_or_create_user(conn: Db, settings: Settings, claims: dict[str, Any]) -> tuple[int, str]:
    email = str(claims["email"]).lower()
    row = conn.execute(
        "SELECT id, role, is_active FROM users WHERE google_sub = %s OR email = %s"
        " ORDER BY (google_sub = %s) DESC NULLS LAST LIMIT 1",
        (claims["sub"], email, claims["sub"]),
    ).fetchone()
    if row is None:
        name = str(claims.get("name") or email.split("@")[0])[:100]
        user_id = users.create(conn, email=email, name=name, password_hash=None,
                               role=users.role_for(email, settings.admin_email_set),
                               email_verified=True, google_sub=claims["sub"])
        return user_id, users.role_for(email, settings.admin_email_set)
    if not row["is_active"]:
        raise BadRequest("this account is deactivated")
    # Google verified the address, so linking the Google identity to it is safe.
    conn.execute("UPDATE users SET google_sub = %s, email_verified = true, updated_at = now() WHERE id = %s",
                 (claims["sub"], row["id"]))
    return row["id"], row["role"]
