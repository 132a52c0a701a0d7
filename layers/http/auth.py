"""Bearer-token authentication for the route decorator, in two steps around the Redis gate.

``claims`` checks the token itself (signature, expiry: no I/O); the route decorator then asks
Redis, in one round trip, whether the token is revoked and whether the caller is within its rate
limit (``layers.http.ratelimit.gate``); ``principal`` finally loads the account on the request's
own connection, so a signed-in request checks out the pool once.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from layers.core.errors import Unauthorized
from layers.core.identity import CurrentUser
from layers.core.settings import get_settings

if TYPE_CHECKING:
    from layers.core.uow import UnitOfWork
    from layers.services.auth.tokens import AccessClaims


def claims(authorization: str | None) -> AccessClaims | None:
    """None without a header; 401 for a malformed or expired token."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("invalid authorization header")
    from layers.services.auth import tokens

    return tokens.decode_access_token(get_settings(), token.strip())


def revocation_key(token: AccessClaims | None) -> str | None:
    from layers.services.auth import revocation

    return None if token is None else revocation.key(token.jti)


def principal(token: AccessClaims, uow: UnitOfWork) -> CurrentUser:
    """The token's active account; 401 when it is gone or deactivated."""
    from layers.services import users

    row = users.active_principal(uow.conn, token.user_id)
    if row is None:
        raise Unauthorized("account not found or deactivated")
    return CurrentUser(id=row["id"], email=row["email"], name=row["name"], role=row["role"],
                       is_premium=row["is_premium"], email_verified=row["email_verified"],
                       token_jti=token.jti, token_exp=token.exp)

