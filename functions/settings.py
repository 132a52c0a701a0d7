"""settings router: the signed-in user's profile and preferences."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.http.routing import Router
from layers.schemas.settings import SettingsOut, SettingsPatch

router = Router("settings")


@router.get("/api/settings", auth="user", response=SettingsOut)
def get_settings_view(db: Db, user: CurrentUser) -> dict[str, Any]:
    """Profile and preferences of the signed-in user."""
    from layers.services import account_settings

    return account_settings.get(db, user.id)


@router.patch("/api/settings", auth="user", body=SettingsPatch, response=SettingsOut)
def update_settings(db: Db, user: CurrentUser, body: SettingsPatch) -> dict[str, Any]:
    """Change any of name, theme, email notifications, digest opt-in, bio (null is refused: 422)."""
    from layers.services import account_settings

    return account_settings.update(db, user.id, body)
