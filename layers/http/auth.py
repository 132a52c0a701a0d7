"""Bearer-token authentication for the route decorator."""
from __future__ import annotations

from layers.core import db
from layers.core.errors import Unauthorized
from layers.core.settings import get_settings
from layers.http.context import CurrentUser


def authenticate(authorization: str | None) -> CurrentUser | None:
    """None without a header; 401 for a malformed, expired, revoked or deactivated token."""
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
    with db.connection() as conn:
        row = users.active_principal(conn, claims.user_id)
    if row is None:
        raise Unauthorized("account not found or deactivated")
    return CurrentUser(id=row["id"], email=row["email"], name=row["name"], role=row["role"],
                       is_premium=row["is_premium"], email_verified=row["email_verified"], token_jti=claims.jti, token_exp=claims.exp)
