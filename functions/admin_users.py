"""admin_users router: find, change and delete accounts."""
from __future__ import annotations

from layers.core import db
from layers.core.pagination import Page
from layers.http.context import RequestContext
from layers.http.routing import Router
from layers.schemas.admin import AdminUserOut, AdminUserPatch, AdminUsersQuery

router = Router("admin_users")


@router.get("/api/admin/users", auth="admin", query=AdminUsersQuery, response=Page[AdminUserOut])
def list_users(ctx: RequestContext, query: AdminUsersQuery) -> dict:
    """Accounts, newest first; ``?q`` matches email or name anywhere, ``?role``, ``?is_active`` filter."""
    from layers.services import admin_users

    with db.connection() as conn:
        return admin_users.list_users(conn, q=query.q, role=query.role, is_active=query.is_active, query=query)


@router.patch("/api/admin/users/{user_id}", auth="admin", body=AdminUserPatch, response=AdminUserOut,
              errors=(400, 404))
def update_user(ctx: RequestContext, user_id: int, body: AdminUserPatch) -> dict:
    """Change ``role`` and/or ``is_active``. Deactivating signs the user out everywhere at once
    (refresh tokens revoked; access tokens are refused from the next request). An admin cannot
    demote or deactivate themselves (400)."""
    from layers.services import admin_users

    with db.connection() as conn:
        return admin_users.update(conn, ctx.require_user().id, user_id, role=body.role, is_active=body.is_active)


@router.delete("/api/admin/users/{user_id}", auth="admin", status=204, errors=(400, 404))
def delete_user(ctx: RequestContext, user_id: int) -> None:
    """Delete an account and everything it owns; not one's own (400)."""
    from layers.services import admin_users

    with db.connection() as conn:
        admin_users.delete(conn, ctx.require_user().id, user_id)
