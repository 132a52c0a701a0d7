"""auth router: registration, sign-in, tokens, email verification, Google sign-in."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.settings import Settings
from layers.http.routing import Router
from layers.schemas.auth import (
    AuthorizationUrl,
    GoogleCallbackQuery,
    LoginIn,
    RefreshIn,
    RegisterIn,
    TokenPair,
    UserOut,
    VerifyEmailIn,
)
from layers.schemas.common import Message

if TYPE_CHECKING:
    from redis import Redis

router = Router("auth")


@router.post("/api/auth/register", body=RegisterIn, response=UserOut, status=201, errors=(409,))
def register(db: Db, settings: Settings, body: RegisterIn) -> dict[str, Any]:
    """Create an account and email a verification link."""
    from layers.services.auth import service

    return service.register(db, settings, body)


@router.post("/api/auth/login", body=LoginIn, response=TokenPair, errors=(401,))
def login(db: Db, settings: Settings, body: LoginIn) -> dict[str, Any]:
    """Exchange email and password for a token pair."""
    from layers.services.auth import service

    return service.login(db, settings, body)


@router.post("/api/auth/refresh", body=RefreshIn, response=TokenPair, errors=(401,))
def refresh(db: Db, settings: Settings, body: RefreshIn) -> dict[str, Any]:
    """Rotate a refresh token; reusing a spent one revokes its whole family."""
    from layers.services.auth import service

    return service.refresh(db, settings, body.refresh_token)


@router.post("/api/auth/logout", auth="user", body=RefreshIn, status=204)
def logout(db: Db, user: CurrentUser, body: RefreshIn) -> None:
    """Revoke the given refresh token and the access token used for this call."""
    from layers.services.auth import revocation, service

    service.logout(db, user.id, body.refresh_token)
    if user.token_jti and user.token_exp:
        revocation.revoke(user.token_jti, user.token_exp)


@router.post("/api/auth/verify-email", body=VerifyEmailIn, response=UserOut, errors=(400,))
def verify_email(db: Db, body: VerifyEmailIn) -> dict[str, Any]:
    """Mark the email verified with the emailed single-use token."""
    from layers.services.auth import service

    return service.verify_email(db, body.token)


@router.post("/api/auth/resend-verification", auth="user", response=Message, status=202)
def resend_verification(db: Db, user: CurrentUser) -> dict[str, str]:
    """Send a new verification email (nothing is sent when already verified)."""
    from layers.services.auth import service

    queued = service.resend_verification(db, user.id)
    return {"detail": "verification email sent" if queued else "email already verified"}


@router.get("/api/auth/me", auth="user", response=UserOut, rate_group="account")
def me(db: Db, user: CurrentUser) -> dict[str, Any]:
    """The signed-in user."""
    from layers.services import users

    return users.self_view(db, user.id)


@router.get("/api/auth/google/start", response=AuthorizationUrl, errors=(503,))
def google_start(settings: Settings, redis: Redis) -> dict[str, str]:
    """Begin Google sign-in: returns the URL to send the browser to."""
    from layers.services.auth import google

    return {"authorization_url": google.start(settings, redis)}


# Not run again on a conflict: the state (GETDEL) and Google's code are single use, so a second
# run could only fail; the 409 tells the frontend to start the sign-in again.
@router.get("/api/auth/google/callback", query=GoogleCallbackQuery, response=TokenPair, errors=(400, 503),
            writes=True, retry_conflicts=False)
def google_callback(db: Db, settings: Settings, redis: Redis, query: GoogleCallbackQuery) -> dict[str, Any]:
    """Finish Google sign-in with the code and state Google redirected back with."""
    from layers.services.auth import google

    return google.callback(db, settings, redis, code=query.code, state=query.state)
