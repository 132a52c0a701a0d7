"""Slug redirects: every old slug points straight at the live one.

Chains are collapsed when written, so resolving is one lookup: adding ``b -> c`` rewrites every
``x -> b`` to ``x -> c``, and a new redirect to a slug that is itself redirected points at that
slug's target. A redirect whose target leads back to its own source would be a cycle and is
refused. A slug that becomes live again (a post takes it) drops its redirect.
"""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.errors import BadRequest, Conflict, NotFound
from layers.core.pagination import PageQuery, paginate
from layers.schemas.post_parts import SLUG_RE
from layers.schemas.redirects import RedirectIn
from layers.services import revalidation

_COLUMNS = "id, old_slug, new_slug, created_at"
# One writer at a time: collapsing reads and rewrites several rows.
_LOCK_KEY = 0x72656469  # "redi"


def list_page(conn: Db, query: PageQuery) -> dict[str, Any]:
    return paginate(conn, f"SELECT {_COLUMNS} FROM redirects", {}, query, "created_at DESC, id DESC")


def resolve(conn: Db, slug: str) -> str | None:
    row = conn.execute("SELECT new_slug FROM redirects WHERE old_slug = %s", (slug,)).fetchone()
    return row["new_slug"] if row else None


def target_of(conn: Db, slug: str) -> dict[str, str]:
    """``{new_slug}`` for a redirected slug; 404 for anything else (text that is no slug included)."""
    target = resolve(conn, slug) if SLUG_RE.fullmatch(slug) else None
    if target is None:
        raise NotFound("no redirect for this slug")
    return {"new_slug": target}


def create(conn: Db, redirect: RedirectIn) -> dict[str, Any]:
    """An admin-made redirect; the old slug must not belong to a post."""
    if conn.execute("SELECT 1 FROM posts WHERE slug = %s", (redirect.old_slug,)).fetchone():
        raise Conflict("a post uses this slug; rename the post instead")
    row = record(conn, redirect.old_slug, redirect.new_slug)
    revalidation.redirect_created(conn, redirect.old_slug)
    return row


def record(conn: Db, old_slug: str, new_slug: str) -> dict[str, Any]:
    """Make ``old_slug`` lead to ``new_slug`` (or to where that leads)."""
    if old_slug == new_slug:
        raise BadRequest("old_slug and new_slug are the same")
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
    target = resolve(conn, new_slug) or new_slug
    if target == old_slug:
        raise Conflict("this redirect would create a cycle")
    conn.execute("UPDATE redirects SET new_slug = %s WHERE new_slug = %s", (target, old_slug))
    row = conn.execute(
        f"INSERT INTO redirects (old_slug, new_slug) VALUES (%s, %s)"
        f" ON CONFLICT (old_slug) DO UPDATE SET new_slug = EXCLUDED.new_slug RETURNING {_COLUMNS}",
        (old_slug, target),
    ).fetchone()
    assert row is not None  # an upsert with RETURNING yields the row
    return row


def reclaim(conn: Db, slug: str) -> None:
    """``slug`` is live again: it must no longer redirect anywhere."""
    conn.execute("DELETE FROM redirects WHERE old_slug = %s", (slug,))


def drop_to(conn: Db, slug: str) -> None:
    """The target ``slug`` is gone (its post was deleted)."""
    conn.execute("DELETE FROM redirects WHERE new_slug = %s", (slug,))
