"""Bearer-token authentication for the route decorator."""
from __future__ import annotations

from typing import TYPE_CHECKING

from layers.core.errors import Unauthorized
from layers.core.identity import CurrentUser
from layers.core.settings import get_settings

if TYPE_CHECKING:
    from layers.core.uow import UnitOfWork


def authenticate(authorization: str | None, uow: UnitOfWork) -> CurrentUser | None:
    """None without a header; 401 for a malformed, expired, revoked or deactivated token.

    The lookup runs on the request's own connection, so a signed-in request checks out the pool
    once.
    """
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("invalid authorization header")
    from layers.services import users
    from layers.services.auth import revocation, tokens

    claims = tokens.decode_access_token(get_settings(), token.strip())
    if revocation.is_revoked(claims.jti):
        raise Unauthorized("token revoked")
    row = users.active_principal(uow.conn, claims.user_id)
    if row is None:
        raise Unauthorized("account not found or deactivated")
    return CurrentUser(id=row["id"], email=row["email"], name=row["name"], role=row["role"],
                       is_premium=row["is_premium"], email_verified=row["email_verified"],
                       token_jti=claims.jti, token_exp=claims.exp)
