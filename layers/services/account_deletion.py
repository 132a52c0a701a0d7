"""Deleting an account: what goes with it, and what stays because it belongs to others too.

Every foreign key to ``users`` is listed in ``POLICY`` with what deleting the user does to the
rows that reference them; ``tests/test_account_deletion.py`` fails when a key is missing here or
its ``ON DELETE`` rule in the schema says otherwise, so a new table must decide.

- ``REMOVED`` (``ON DELETE CASCADE``): the user's own data — sessions and tokens, settings, reading
  history, bookmarks, notes, notifications, reactions, learning records, XP, badges, their
  referral code, subscription and digest records.
- ``ANONYMISED`` (``ON DELETE SET NULL``): rows that are also someone else's record — the posts
  they authored, post views (counts), payments (accounting), the accounts they referred (which
  stay, with no referrer), their sign-up through another user's referral code (the referrer keeps
  the count and what it earned), and their comments.

Comments need more than the key: the deleted user's words must go, while the replies other
people wrote beneath them stay. ``delete_account`` therefore first removes the user's comments
that have no replies and turns those that do into tombstones (text replaced, no author), exactly
as deleting one's own comment does; only then is the user's row deleted.

Not covered by the database: objects in the uploads bucket (their rows go, the S3 objects stay
until the bucket's lifecycle removes them) and a Stripe subscription, which Stripe keeps billing
until it is cancelled there.
"""
from __future__ import annotations

from typing import Literal

from layers.core.db import Db
from layers.core.errors import NotFound
from layers.services import comments

Fate = Literal["removed", "anonymised"]

POLICY: dict[tuple[str, str], Fate] = {
    ("users", "referred_by"): "anonymised",
    ("user_settings", "user_id"): "removed",
    ("refresh_tokens", "user_id"): "removed",
    ("email_tokens", "user_id"): "removed",
    ("posts", "author_id"): "anonymised",
    ("comments", "user_id"): "anonymised",
    ("post_views", "user_id"): "anonymised",
    ("post_reactions", "user_id"): "removed",
    ("bookmarks", "user_id"): "removed",
    ("user_progress", "user_id"): "removed",
    ("study_notes", "user_id"): "removed",
    ("notifications", "user_id"): "removed",
    ("uploads", "user_id"): "removed",
    ("certificates", "user_id"): "removed",
    ("srs_cards", "user_id"): "removed",
    ("srs_reviews", "user_id"): "removed",
    ("quiz_attempts", "user_id"): "removed",
    ("challenge_submissions", "user_id"): "removed",
    ("interview_sessions", "user_id"): "removed",
    ("user_badges", "user_id"): "removed",
    ("xp_events", "user_id"): "removed",
    ("referrals", "user_id"): "removed",
    ("referral_events", "referred_user_id"): "anonymised",
    ("payments", "user_id"): "anonymised",
    ("subscriptions", "user_id"): "removed",
    ("digest_subscriptions", "user_id"): "removed",
    ("digest_deliveries", "user_id"): "removed",
}


def delete_account(conn: Db, user_id: int) -> None:
    """Delete ``user_id`` as ``POLICY`` says; NotFound when there is no such account."""
    locked = conn.execute("SELECT id FROM users WHERE id = %s FOR UPDATE", (user_id,)).fetchone()
    if locked is None:
        raise NotFound("user not found")
    comments.erase_authored_by(conn, user_id)
    conn.execute("DELETE FROM users WHERE id = %s", (user_id,))
