"""Reactions to posts: one per user per post (the primary key), changeable and removable."""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.services.published import published_post


def counts(conn: Db, post_id: int) -> dict[str, int]:
    return {r["reaction_type"]: r["n"] for r in conn.execute(
        "SELECT reaction_type, count(*) AS n FROM post_reactions WHERE post_id = %s GROUP BY reaction_type",
        (post_id,))}


def mine(conn: Db, post_id: int, user_id: int) -> str | None:
    row = conn.execute("SELECT reaction_type FROM post_reactions WHERE post_id = %s AND user_id = %s",
                       (post_id, user_id)).fetchone()
    return row["reaction_type"] if row else None


def set_reaction(conn: Db, user_id: int, post_id: int, reaction_type: str) -> dict[str, Any]:
    """Set or change the caller's reaction to a published post."""
    published_post(conn, post_id)
    conn.execute(
        "INSERT INTO post_reactions (user_id, post_id, reaction_type) VALUES (%s, %s, %s)"
        " ON CONFLICT (user_id, post_id) DO UPDATE SET reaction_type = EXCLUDED.reaction_type, updated_at = now()"
        " WHERE post_reactions.reaction_type <> EXCLUDED.reaction_type",
        (user_id, post_id, reaction_type),
    )
    return {"post_id": post_id, "reaction_type": reaction_type, "reactions": counts(conn, post_id)}


def remove_reaction(conn: Db, user_id: int, post_id: int) -> None:
    """Remove the caller's reaction; removing one that is not there is not an error."""
    published_post(conn, post_id)
    conn.execute("DELETE FROM post_reactions WHERE user_id = %s AND post_id = %s", (user_id, post_id))
