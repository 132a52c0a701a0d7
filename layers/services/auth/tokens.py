"""Access tokens (short-lived JWTs) and refresh tokens (opaque, hashed, rotated, in families)."""
from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

from layers.core.db import Db
from layers.core.errors import Unauthorized
from layers.core.settings import Settings

ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    jti: str
    exp: int


def issue_access_token(settings: Settings, user_id: int, role: str, now: float | None = None) -> str:
    import jwt

    issued = int(now if now is not None else time.time())
    claims = {
        "sub": str(user_id),
        "role": role,
        "iat": issued,
        "nbf": issued,
        "exp": issued + settings.access_token_ttl_seconds,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm=ALGORITHM)


def decode_access_token(settings: Settings, token: str) -> AccessClaims:
    import jwt

    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "sub", "jti", "iss", "aud"]},
            leeway=5,
        )
        return AccessClaims(user_id=int(claims["sub"]), jti=str(claims["jti"]), exp=int(claims["exp"]))
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("token expired") from exc
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise Unauthorized("invalid token") from exc


def new_opaque_token() -> tuple[str, bytes]:
    """A random token for the client and the SHA-256 digest the database keeps."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def issue_refresh_token(conn: Db, settings: Settings, user_id: int, family_id: uuid.UUID | None = None) -> str:
    token, token_hash = new_opaque_token()
    conn.execute(
        "INSERT INTO refresh_tokens (user_id, token_hash, family_id, expires_at)"
        " VALUES (%s, %s, %s, now() + make_interval(days => %s))",
        (user_id, token_hash, family_id or uuid.uuid4(), settings.refresh_token_ttl_days),
    )
    return token


def token_pair(conn: Db, settings: Settings, user_id: int, role: str,
               family_id: uuid.UUID | None = None) -> dict[str, Any]:
    return {
        "access_token": issue_access_token(settings, user_id, role),
        "refresh_token": issue_refresh_token(conn, settings, user_id, family_id),
        "token_type": "bearer",
        "expires_in": settings.access_token_ttl_seconds,
    }
