"""admin_users router: find, change and delete accounts."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.pagination import Page
from layers.http.routing import Router
from layers.schemas.admin_users import AdminUserOut, AdminUserPatch, AdminUsersQuery

router = Router("admin_users")


@router.get("/api/admin/users", auth="admin", query=AdminUsersQuery, response=Page[AdminUserOut])
def list_users(db: Db, query: AdminUsersQuery) -> dict[str, Any]:
    """Accounts, newest first; ``?q`` matches email or name anywhere, ``?role``, ``?is_active`` filter."""
    from layers.services import admin_users

    return admin_users.list_users(db, query)


@router.patch("/api/admin/users/{user_id}", auth="admin", body=AdminUserPatch, response=AdminUserOut,
              errors=(400, 404))
def update_user(db: Db, user: CurrentUser, user_id: int, body: AdminUserPatch) -> dict[str, Any]:
    """Change ``role`` and/or ``is_active`` (null is refused: 422). Deactivating signs the user out
    everywhere at once (refresh tokens revoked; access tokens are refused from the next request).
    An admin cannot demote or deactivate themselves (400)."""
    from layers.services import admin_users

    return admin_users.update(db, user.id, user_id, body)


@router.delete("/api/admin/users/{user_id}", auth="admin", status=204, errors=(400, 404))
def delete_user(db: Db, user: CurrentUser, user_id: int) -> None:
    """Delete an account and everything it owns; not one's own (400)."""
    from layers.services import admin_users

    admin_users.delete(db, user.id, user_id)
