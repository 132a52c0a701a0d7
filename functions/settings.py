"""settings router: the signed-in user's profile and preferences."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from layers.core import db
from layers.http.context import RequestContext
from layers.http.routing import Router
from layers.schemas.common import DisplayName, LongText, StrictModel

router = Router("settings")


class SettingsOut(BaseModel):
    name: str
    email: str
    theme: Literal["light", "dark", "system"]
    email_notifications: bool
    digest_opt_in: bool
    bio: str


class SettingsPatch(StrictModel):
    name: DisplayName | None = None
    theme: Literal["light", "dark", "system"] | None = None
    email_notifications: bool | None = None
    digest_opt_in: bool | None = None
    bio: Annotated[LongText, Field(max_length=1000)] | None = None


@router.get("/api/settings", auth="user", response=SettingsOut)
def get_settings_view(ctx: RequestContext) -> dict:
    """Profile and preferences of the signed-in user."""
    from layers.services import account_settings

    with db.connection() as conn:
        return account_settings.get(conn, ctx.require_user().id)


@router.patch("/api/settings", auth="user", body=SettingsPatch, response=SettingsOut)
def update_settings(ctx: RequestContext, body: SettingsPatch) -> dict:
    """Change any of name, theme, email notifications, digest opt-in, bio."""
    from layers.services import account_settings

    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    with db.connection() as conn:
        return account_settings.update(conn, ctx.require_user().id, changes)
