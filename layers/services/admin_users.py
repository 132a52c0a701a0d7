"""User administration: search, role and activation changes, deletion.

Deactivation takes effect at once: refresh tokens are revoked here, and authentication checks
``users.is_active`` on every request, so outstanding access tokens stop working too.
"""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.errors import BadRequest, NotFound
from layers.core.pagination import paginate
from layers.core.sql import update_row
from layers.schemas.admin_users import AdminUserPatch, AdminUsersQuery
from layers.services import account_deletion
from layers.services.text_match import contains_pattern
from layers.services.users import IS_PREMIUM_SQL

_ADMIN_VIEW_SQL = f"""
SELECT u.id, u.email, u.name, u.role, u.is_active, u.email_verified, u.xp, u.level, u.created_at,
       {IS_PREMIUM_SQL} AS is_premium
FROM users u
WHERE {{where}}
"""


def list_users(conn: Db, query: AdminUsersQuery) -> dict[str, Any]:
    """Newest accounts first; ``q`` matches email or name anywhere (trigram indexes)."""
    clauses: list[str] = ["TRUE"]
    params: dict[str, Any] = {}
    if query.q:
        clauses.append("(u.email ILIKE %(pattern)s OR u.name ILIKE %(pattern)s)")
        params["pattern"] = contains_pattern(query.q)
    if query.role is not None:
        clauses.append("u.role = %(role)s")
        params["role"] = query.role
    if query.is_active is not None:
        clauses.append("u.is_active = %(active)s")
        params["active"] = query.is_active
    return paginate(conn, _ADMIN_VIEW_SQL.format(where=" AND ".join(clauses)), params, query,
                    "created_at DESC, id DESC")


def update(conn: Db, admin_id: int, user_id: int, patch: AdminUserPatch) -> dict[str, Any]:
    """Change role and/or activation. An admin cannot demote or deactivate themselves (400)."""
    changes = patch.changes()
    if user_id == admin_id and (changes.get("role") == "user" or changes.get("is_active") is False):
        raise BadRequest("you cannot demote or deactivate your own account")
    if update_row(conn, "users", changes, {"id": user_id}) is None:
        raise NotFound("user not found")
    if changes.get("is_active") is False:
        # Here, not at the top: the sign-in service pulls in email validation (~40 ms of a cold
        # start), which listing users never needs.
        from layers.services.auth.service import revoke_all_sessions

        revoke_all_sessions(conn, user_id)
    return view(conn, user_id)


def view(conn: Db, user_id: int) -> dict[str, Any]:
    row: dict[str, Any] | None = conn.execute(_ADMIN_VIEW_SQL.format(where="u.id = %s"), (user_id,)).fetchone()
    if row is None:
        raise NotFound("user not found")
    return row


def delete(conn: Db, admin_id: int, user_id: int) -> None:
    """Delete an account as ``account_deletion`` says (others' content stays); not one's own."""
    if user_id == admin_id:
        raise BadRequest("you cannot delete your own account here")
    account_deletion.delete_account(conn, user_id)
