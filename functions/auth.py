"""auth router: registration, sign-in, tokens, email verification, Google sign-in."""
from __future__ import annotations

from pydantic import BaseModel, Field

from layers.core import db
from layers.core.settings import get_settings
from layers.http.context import RequestContext
from layers.http.routing import Router
from layers.schemas.common import Code, DisplayName, Email, Message, OpaqueToken, Password, StrictModel
from layers.schemas.users import TokenPair, UserOut

router = Router("auth")


class RegisterIn(StrictModel):
    email: Email
    password: Password
    name: DisplayName
    referral_code: Code | None = None


class LoginIn(StrictModel):
    email: Email
    # Not the sign-up policy: an old account may predate it, and any mismatch is a plain 401.
    password: str = Field(min_length=1, max_length=128)


class RefreshIn(StrictModel):
    refresh_token: OpaqueToken


class VerifyEmailIn(StrictModel):
    token: OpaqueToken


class AuthorizationUrl(BaseModel):
    authorization_url: str


class GoogleCallbackQuery(BaseModel):
    code: str = Field(min_length=1, max_length=2048)
    state: str = Field(min_length=1, max_length=512)


@router.post("/api/auth/register", body=RegisterIn, response=UserOut, status=201, errors=(409,))
def register(ctx: RequestContext, body: RegisterIn) -> dict:
    """Create an account and email a verification link."""
    from layers.services.auth import service

    with db.connection() as conn:
        return service.register(conn, get_settings(), email=body.email, password=body.password,
                                name=body.name, referral_code=body.referral_code)


@router.post("/api/auth/login", body=LoginIn, response=TokenPair, errors=(401,))
def login(ctx: RequestContext, body: LoginIn) -> dict:
    """Exchange email and password for a token pair."""
    from layers.services.auth import service

    with db.connection() as conn:
        return service.login(conn, get_settings(), email=body.email, password=body.password)


@router.post("/api/auth/refresh", body=RefreshIn, response=TokenPair, errors=(401,))
def refresh(ctx: RequestContext, body: RefreshIn) -> dict:
    """Rotate a refresh token; reusing a spent one revokes its whole family."""
    from layers.services.auth import service

    with db.connection() as conn:
        return service.refresh(conn, get_settings(), body.refresh_token)


@router.post("/api/auth/logout", auth="user", body=RefreshIn, status=204)
def logout(ctx: RequestContext, body: RefreshIn) -> None:
    """Revoke the given refresh token and the access token used for this call."""
    from layers.services.auth import revocation, service

    user = ctx.require_user()
    with db.connection() as conn:
        service.logout(conn, user.id, body.refresh_token)
    if user.token_jti and user.token_exp:
        revocation.revoke(user.token_jti, user.token_exp)


@router.post("/api/auth/verify-email", body=VerifyEmailIn, response=UserOut, errors=(400,))
def verify_email(ctx: RequestContext, body: VerifyEmailIn) -> dict:
    """Mark the email verified with the emailed single-use token."""
    from layers.services.auth import service

    with db.connection() as conn:
        return service.verify_email(conn, body.token)


@router.post("/api/auth/resend-verification", auth="user", response=Message, status=202)
def resend_verification(ctx: RequestContext) -> dict:
    """Send a new verification email (nothing is sent when already verified)."""
    from layers.services.auth import service

    with db.connection() as conn:
        queued = service.resend_verification(conn, ctx.require_user().id)
    return {"detail": "verification email sent" if queued else "email already verified"}


@router.get("/api/auth/me", auth="user", response=UserOut, rate_group="account")
def me(ctx: RequestContext) -> dict:
    """The signed-in user."""
    from layers.services import users

    with db.connection() as conn:
        return users.self_view(conn, ctx.require_user().id)


@router.get("/api/auth/google/start", response=AuthorizationUrl, errors=(503,))
def google_start(ctx: RequestContext) -> dict:
    """Begin Google sign-in: returns the URL to send the browser to."""
    from layers.services.auth import google

    return {"authorization_url": google.start(get_settings())}


@router.get("/api/auth/google/callback", query=GoogleCallbackQuery, response=TokenPair, errors=(400, 503))
def google_callback(ctx: RequestContext, query: GoogleCallbackQuery) -> dict:
    """Finish Google sign-in with the code and state Google redirected back with."""
    from layers.services.auth import google

    with db.connection() as conn:
        return google.callback(conn, get_settings(), code=query.code, state=query.state)
