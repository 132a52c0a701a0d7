"""Deleting an account keeps what other people wrote and did; the policy covers every table.

``layers/services/account_deletion.py`` lists every foreign key to ``users`` with what deletion
does to it. These tests check that list against the live schema, then delete a user who has a row
in every one of those tables next to another user who has the same, and compare.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from layers.services.account_deletion import POLICY
from tests.support.reader import make_post, make_series, sql

_RULES = {"removed": "c", "anonymised": "n"}  # pg_constraint.confdeltype: CASCADE, SET NULL

_FOREIGN_KEYS = """
SELECT c.conrelid::regclass::text AS tbl, a.attname AS col, c.confdeltype AS rule
FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass
"""


def test_every_foreign_key_to_users_has_a_policy_and_the_schema_follows_it(stack):
    keys = {(row["tbl"], row["col"]): row["rule"] for row in sql(stack, _FOREIGN_KEYS)}
    assert set(keys) == set(POLICY), "a table references users without a deletion policy (or the policy is stale)"
    assert {key: keys[key] for key in keys} == {key: _RULES[fate] for key, fate in POLICY.items()}


def test_an_admin_deleting_a_user_keeps_other_peoples_replies(api, users, stack):
    admin = users.admin()
    alice, bob = users.create(name="Alice"), users.create(name="Bob")
    post = make_post(stack, "threads")

    def comment(who: Any, text: str, parent: int | None = None) -> int:
        reply = api.post(f"/api/posts/{post}/comments", {"content": text, "parent_id": parent}, token=who.token)
        sql(stack, "UPDATE comments SET is_approved = true WHERE id = %s", (reply.json["id"],))
        return int(reply.json["id"])

    root = comment(alice, "Alice's question")
    reply = comment(bob, "Bob's answer", root)
    alone = comment(alice, "Alice's aside")
    bobs = comment(bob, "Bob's own thread")
    alice_reply = comment(alice, "Alice answers Bob", bobs)

    assert api.delete(f"/api/admin/users/{alice.id}", token=admin.token).status == 204

    thread = api.get(f"/api/posts/{post}/comments").json["items"]
    assert [c["id"] for c in thread] == [root, bobs]
    tombstone = thread[0]
    assert tombstone["is_deleted"] and tombstone["content"] == "[deleted]"
    assert tombstone["author"] == {"id": None, "name": "Deleted user"}
    assert [(r["id"], r["content"], r["author"]["id"]) for r in tombstone["replies"]] == [(reply, "Bob's answer", bob.id)]
    assert thread[1]["replies"] == []  # Alice's reply to Bob went with her
    left = {row["id"] for row in sql(stack, "SELECT id FROM comments")}
    assert left == {root, reply, bobs} and alone not in left and alice_reply not in left
    assert not sql(stack, "SELECT 1 FROM comments WHERE content LIKE 'Alice%%'")  # none of her words remain
    # The moderation queue shows the tombstone with the placeholder author too.
    queue = api.get("/api/admin/comments?status=all", token=admin.token)
    assert queue.status == 200
    assert {c["author"]["name"] for c in queue.json["items"]} == {"Bob", "Deleted user"}


def test_a_tombstone_left_without_replies_is_pruned_when_its_author_is_deleted(api, users, stack):
    admin, alice = users.admin(), users.create(name="Alice")
    post = make_post(stack, "solo")
    root = api.post(f"/api/posts/{post}/comments", {"content": "first"}, token=alice.token).json["id"]
    api.post(f"/api/posts/{post}/comments", {"content": "second", "parent_id": root}, token=alice.token)
    assert api.delete(f"/api/admin/users/{alice.id}", token=admin.token).status == 204
    assert sql(stack, "SELECT id FROM comments") == []


def _seed(stack: dict[str, str], user_id: int, other_id: int, tag: str) -> None:
    """One row of ``user_id`` in every table that references users (``other_id`` for the pairs)."""
    post = make_post(stack, f"post-{tag}", author_id=user_id)
    series = make_series(stack, f"series-{tag}")
    statements: list[tuple[str, tuple[Any, ...]]] = [
        ("UPDATE users SET referred_by = %s WHERE id = %s", (user_id, other_id)),
        ("INSERT INTO user_settings (user_id) VALUES (%s) ON CONFLICT DO NOTHING", (user_id,)),
        ("INSERT INTO refresh_tokens (user_id, token_hash, family_id, expires_at)"
         " VALUES (%s, %s, gen_random_uuid(), now() + interval '1 day')", (user_id, tag.encode())),
        ("INSERT INTO email_tokens (user_id, purpose, token_hash, expires_at)"
         " VALUES (%s, 'verify_email', %s, now() + interval '1 day')", (user_id, tag.encode())),
        ("INSERT INTO post_views (post_id, user_id, client_hash, hour_bucket)"
         " VALUES (%s, %s, %s, date_trunc('hour', now()))", (post, user_id, tag)),
        ("INSERT INTO post_reactions (user_id, post_id, reaction_type) VALUES (%s, %s, 'like')", (user_id, post)),
        ("INSERT INTO bookmarks (user_id, post_id) VALUES (%s, %s)", (user_id, post)),
        ("INSERT INTO user_progress (user_id, post_id) VALUES (%s, %s)", (user_id, post)),
        ("INSERT INTO study_notes (user_id, post_id, content) VALUES (%s, %s, 'note')", (user_id, post)),
        ("INSERT INTO notifications (user_id, type, title) VALUES (%s, 'badge', 'hi')", (user_id,)),
        ("INSERT INTO uploads (user_id, kind, object_key, filename, content_type, size_bytes)"
         " VALUES (%s, 'image', %s, 'a.png', 'image/png', 1)", (user_id, f"key-{tag}")),
        ("INSERT INTO certificates (code, user_id, series_id) VALUES (%s, %s, %s)", (f"code-{tag}", user_id, series)),
        ("INSERT INTO srs_cards (user_id, front, back) VALUES (%s, 'f', 'b')", (user_id,)),
        ("INSERT INTO srs_reviews (card_id, user_id, grade, interval_days, ease_factor)"
         " SELECT id, user_id, 4, 1, 2.5 FROM srs_cards WHERE user_id = %s", (user_id,)),
        ("INSERT INTO quiz_attempts (user_id, post_id, question_ids, total_questions)"
         " VALUES (%s, %s, '[]', 1)", (user_id, post)),
        ("INSERT INTO challenges (day, title, question, answer) VALUES (current_date + %s, 't', 'q', 'a')"
         " ON CONFLICT (day) DO NOTHING", (user_id,)),
        ("INSERT INTO challenge_submissions (challenge_id, user_id, answer, is_correct, day)"
         " SELECT id, %s, 'a', true, day FROM challenges WHERE day = current_date + %s", (user_id, user_id)),
        ("INSERT INTO interview_sessions (user_id, topic, questions) VALUES (%s, 'sql', '[]')", (user_id,)),
        ("INSERT INTO badges (slug, name) VALUES ('first-read', 'First read') ON CONFLICT DO NOTHING", ()),
        ("INSERT INTO user_badges (user_id, badge_id) SELECT %s, id FROM badges WHERE slug = 'first-read'", (user_id,)),
        ("INSERT INTO xp_events (user_id, amount, reason, ref) VALUES (%s, 10, 'read', %s)", (user_id, str(post))),
        ("INSERT INTO referrals (code, user_id) VALUES (%s, %s)", (f"REF{tag}".upper(), user_id)),
        # user_id signed up through the other user's code: the other's record of a sign-up.
        ("INSERT INTO referral_events (referral_id, kind, referred_user_id)"
         " SELECT id, 'signup', %s FROM referrals WHERE user_id = %s", (other_id, user_id)),
        ("INSERT INTO payments (user_id, stripe_session_id, status) VALUES (%s, %s, 'paid')", (user_id, f"cs_{tag}")),
        ("INSERT INTO subscriptions (user_id, status, state_as_of) VALUES (%s, 'active', now())", (user_id,)),
        ("INSERT INTO digest_subscriptions (user_id, unsubscribe_token) VALUES (%s, %s)", (user_id, f"unsub-{tag}")),
        ("INSERT INTO digest_deliveries (user_id, digest_date) VALUES (%s, current_date)", (user_id,)),
    ]
    for statement, params in statements:
        sql(stack, statement, params)


def _rows(stack: dict[str, str], table: str, column: str, value: int) -> list[str]:
    query = f'SELECT to_jsonb(t) AS row FROM "{table}" t WHERE "{column}" = %s'  # names from pg_catalog
    return sorted(json.dumps(row["row"], sort_keys=True) for row in sql(stack, query, (value,)))


def test_deleting_a_user_removes_or_anonymises_their_rows_and_leaves_everyone_elses(api, users, stack):
    admin = users.admin()
    alice, bob = users.create(name="Alice"), users.create(name="Bob")
    _seed(stack, alice.id, bob.id, "a")
    _seed(stack, bob.id, alice.id, "b")
    post = make_post(stack, "discussion")
    root = sql(stack, "INSERT INTO comments (post_id, user_id, content, is_approved) VALUES (%s, %s, 'by alice', true)"
                      " RETURNING id", (post, alice.id))[0]["id"]
    sql(stack, "INSERT INTO comments (post_id, user_id, parent_id, content, is_approved) VALUES (%s, %s, %s, 'by bob', true)",
        (post, bob.id, root))

    before_alice = {key: _rows(stack, *key, alice.id) for key in POLICY}
    before_bob = {key: _rows(stack, *key, bob.id) for key in POLICY}
    totals = {table: sql(stack, f'SELECT count(*) AS n FROM "{table}"')[0]["n"] for table, _ in POLICY}
    assert all(before_alice.values()) and all(before_bob.values()), "the seed must touch every table"

    assert api.delete(f"/api/admin/users/{alice.id}", token=admin.token).status == 204

    for key, fate in POLICY.items():
        table, column = key
        assert _rows(stack, table, column, alice.id) == [], key
        after_bob = _rows(stack, table, column, bob.id)
        if key == ("users", "referred_by"):
            # The accounts Bob referred: Alice's own row, deleted with her.
            assert after_bob == [], key
            continue
        if key == ("referral_events", "referred_user_id"):
            # Bob's sign-up through Alice's code belonged to Alice's referral code, which went with her.
            assert after_bob == [], key
            continue
        assert after_bob == before_bob[key], f"{key}: another user's rows changed"
        if fate == "anonymised":
            nulls = sql(stack, f'SELECT count(*) AS n FROM "{table}" WHERE "{column}" IS NULL')[0]["n"]
            assert nulls >= len(before_alice[key]), f"{key}: the deleted user's rows were not kept anonymised"
        else:
            now = sql(stack, f'SELECT count(*) AS n FROM "{table}"')[0]["n"]
            assert now <= totals[table] - len(before_alice[key]), key
    # Bob's account lost its referrer, and nothing else: same XP, name, email.
    bob_row = sql(stack, "SELECT referred_by, name, xp FROM users WHERE id = %s", (bob.id,))[0]
    assert bob_row == {"referred_by": None, "name": "Bob", "xp": 0}
    # Alice's sign-up through Bob's code stays with Bob, anonymised.
    assert sql(stack, "SELECT count(*) AS n FROM referral_events e JOIN referrals r ON r.id = e.referral_id"
                      " WHERE r.user_id = %s AND e.kind = 'signup' AND e.referred_user_id IS NULL", (bob.id,))[0]["n"] == 1


@pytest.mark.parametrize("target", ["self", "missing"])
def test_refusals(api, users, target):
    admin = users.admin()
    user_id = admin.id if target == "self" else 987654
    reply = api.delete(f"/api/admin/users/{user_id}", token=admin.token)
    assert reply.status == (400 if target == "self" else 404)
