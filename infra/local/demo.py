"""Demo data for ``make run``: accounts, then the content under ``infra/demo``.

- accounts: the ``ADMIN_EMAILS`` admins and three readers, all with the demo password;
- ``tags.json``, ``series.json`` and ``posts/*.md`` (front matter between ``---`` lines, one
  ``key: value`` per line), posts authored by the first admin and dated ``published_days_ago``;
- ``comments.json`` (authors are the demo readers; ``reply_to`` is the index of the parent),
  ``quiz.json`` into ``quiz_questions``, ``challenges.json`` into ``challenges`` on consecutive
  days ending a week from the first load, ``interview.json`` into ``interview_questions``.

Idempotent: rows are matched by slug (or by their natural key), a row is written only when it
differs, and a second run changes nothing. What people changed wins: a demo post an admin gave
another slug (a redirect records it) and a demo tag or series whose name is now another row's
are left alone, and what hangs off them is skipped. Published posts that were new or changed are queued
for the search index (``embed_post``), sent right after the commit. Local use only; the demo
password is printed at start-up and must never exist on a real stage.
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from layers.core.logging import get_logger

log = get_logger("local.demo")

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-password-123")
READERS = (("alice@example.com", "Alice Reader"), ("bob@example.com", "Bob Builder"),
           ("carol@example.com", "Carol Coder"))
DEMO_DIR = Path(__file__).resolve().parents[1] / "demo"
CHALLENGES_END_OFFSET_DAYS = 7


def load(demo_dir: Path = DEMO_DIR) -> dict[str, Any]:
    from layers.core import db
    from layers.core.settings import get_settings
    from layers.tasks import relay

    began = time.monotonic()
    settings = get_settings()
    with db.connection() as conn:
        accounts = ensure_accounts(conn, settings)
        admins = sorted(settings.admin_email_set)
        summary = load_content(conn, demo_dir, accounts, accounts.get(admins[0]) if admins else None)
        conn.commit()
    relay.flush_pending()
    print(f"demo accounts ({DEMO_PASSWORD!r}): {', '.join(sorted(accounts))}; demo content: "
          + ", ".join(f"{v} {k}" for k, v in summary.items()) + f" ({time.monotonic() - began:.2f}s)", flush=True)
    return {"accounts": accounts, **summary}


def ensure_accounts(conn: Any, settings: Any) -> dict[str, int]:
    """Admins from ADMIN_EMAILS and the demo readers, verified, with the demo password."""
    from layers.services import users
    from layers.services.auth.passwords import hash_password

    wanted = [(email, email.split("@")[0].title()) for email in sorted(settings.admin_email_set)] + list(READERS)
    password_hash = hash_password(DEMO_PASSWORD)
    ids = {}
    for email, name in wanted:
        existing = users.find_by_email(conn, email)
        if existing is None:
            ids[email] = users.create(conn, email=email, name=name, password_hash=password_hash,
                                      role=users.role_for(email, settings.admin_email_set), email_verified=True)
        else:
            ids[email] = existing["id"]
    return ids


def load_content(conn: Any, demo_dir: Path, accounts: dict[str, int], author_id: int | None) -> dict[str, int]:
    """Tags, series, posts, comments, quizzes and challenges; returns how many rows were written."""
    from infra.local import demo_gamification
    from layers.services import tags

    tag_ids = _upsert_by_slug(conn, "tags", _json(demo_dir / "tags.json"), ("name",))
    series_ids = _upsert_by_slug(conn, "series", _json(demo_dir / "series.json"), ("title", "description"))
    posts = [parse_post(path) for path in sorted((demo_dir / "posts").glob("*.md"))]
    post_ids, changed = {}, 0
    for post in posts:
        if _renamed(conn, post["slug"]):
            continue  # an admin gave the demo post another slug: it is theirs now
        post_ids[post["slug"]], was_written = _upsert_post(conn, post, series_ids, author_id)
        changed += was_written
        _sync_tags(conn, post_ids[post["slug"]], [tag_ids[t] for t in post["tags"] if t in tag_ids])
    tags.refresh_counts(conn)
    return {
        "posts written": changed,
        "comments added": _comments(conn, _json(demo_dir / "comments.json"), post_ids, accounts),
        "quiz questions added": _quiz(conn, _json(demo_dir / "quiz.json"), post_ids),
        "challenges added": _challenges(conn, _json(demo_dir / "challenges.json")),
        "interview questions added": _interview(conn, _json(demo_dir / "interview.json")),
        "XP awards added": demo_gamification.seed(conn, accounts, post_ids),
    }


def _renamed(conn: Any, slug: str) -> bool:
    return conn.execute("SELECT 1 FROM redirects WHERE old_slug = %s", (slug,)).fetchone() is not None


def parse_post(path: Path) -> dict[str, Any]:
    """Front matter (``key: value`` lines between ``---`` lines) and the Markdown body."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].strip() != "---":
        raise ValueError(f"{path.name}: no front matter")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    meta = dict(line.split(":", 1) for line in lines[1:end] if ":" in line)
    meta = {k.strip(): v.strip() for k, v in meta.items()}
    return {
        "slug": meta["slug"], "title": meta["title"], "excerpt": meta.get("excerpt", ""),
        "content": "\n".join(lines[end + 1:]).strip() + "\n",
        "status": meta.get("status", "draft"), "difficulty": meta.get("difficulty", "beginner"),
        "is_premium": meta.get("is_premium", "false").lower() == "true",
        "series": meta.get("series") or None,
        "series_position": int(meta["series_position"]) if meta.get("series_position") else None,
        "tags": [t.strip() for t in meta.get("tags", "").split(",") if t.strip()],
        "published_days_ago": int(meta["published_days_ago"]) if meta.get("published_days_ago") else None,
    }


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@contextmanager
def _skip_if_taken(conn: Any, table: str, slug: str) -> Iterator[None]:
    """Leave out a demo row whose name or title someone has since given to another row.

    An admin may rename a demo tag's slug and keep its name: the demo's row (matched on slug)
    would then collide on the name. Demo data never wins over, or blocks on, what people changed.
    """
    import psycopg

    try:
        with conn.transaction():  # a savepoint: only this row is undone
            yield
    except psycopg.errors.UniqueViolation:
        log.info("demo row left out: its name is taken", extra={"table": table, "slug": slug})


def _upsert_by_slug(conn: Any, table: str, items: list[dict[str, Any]], fields: tuple[str, ...]) -> dict[str, int]:
    # ``table`` and ``fields`` are constants of this module, never input.
    columns = ", ".join(fields)
    excluded = ", ".join(f"EXCLUDED.{f}" for f in fields)
    for item in items:
        with _skip_if_taken(conn, table, item["slug"]):
            conn.execute(
                f"INSERT INTO {table} (slug, {columns}) VALUES (%(slug)s, {', '.join(f'%({f})s' for f in fields)})"
                f" ON CONFLICT (slug) DO UPDATE SET ({columns}) = ROW({excluded})"
                f" WHERE ({', '.join(f'{table}.{f}' for f in fields)}) IS DISTINCT FROM ({excluded})",
                item,
            )
    slugs = [item["slug"] for item in items]
    return {r["slug"]: r["id"] for r in conn.execute(f"SELECT id, slug FROM {table} WHERE slug = ANY(%s)", (slugs,))}


_POST_FIELDS = ("title", "excerpt", "content", "status", "difficulty", "is_premium", "series_id",
                "series_position", "reading_time_minutes")


def _upsert_post(conn: Any, post: dict[str, Any], series_ids: dict[str, int], author_id: int | None) -> tuple[int, bool]:
    """Insert or update one post; (id, whether a row was written)."""
    from layers.services.chunking import reading_time_minutes
    from layers.tasks import outbox

    values = {**post, "series_id": series_ids.get(post["series"]) if post["series"] else None,
              "reading_time_minutes": reading_time_minutes(post["content"]), "author_id": author_id}
    columns = ", ".join(_POST_FIELDS)
    excluded = ", ".join(f"EXCLUDED.{f}" for f in _POST_FIELDS)
    row = conn.execute(
        f"INSERT INTO posts (slug, author_id, published_at, {columns})"
        f" VALUES (%(slug)s, %(author_id)s,"
        f" CASE WHEN %(status)s = 'published' THEN now() - make_interval(days => coalesce(%(published_days_ago)s, 0)) END,"
        f" {', '.join(f'%({f})s' for f in _POST_FIELDS)})"
        f" ON CONFLICT (slug) DO UPDATE SET ({columns}) = ROW({excluded}),"
        " published_at = coalesce(posts.published_at, EXCLUDED.published_at), updated_at = now()"
        f" WHERE ({', '.join(f'posts.{f}' for f in _POST_FIELDS)}) IS DISTINCT FROM ({excluded})"
        " RETURNING id",
        values,
    ).fetchone()
    if row is None:  # unchanged
        return conn.execute("SELECT id FROM posts WHERE slug = %s", (post["slug"],)).fetchone()["id"], False
    outbox.enqueue(conn, "embed_post", {"post_id": row["id"]})
    return row["id"], True


def _sync_tags(conn: Any, post_id: int, tag_ids: list[int]) -> None:
    conn.execute("DELETE FROM post_tags WHERE post_id = %s AND NOT (tag_id = ANY(%s))", (post_id, tag_ids))
    conn.execute("INSERT INTO post_tags (post_id, tag_id) SELECT %s, unnest(%s::bigint[]) ON CONFLICT DO NOTHING",
                 (post_id, tag_ids))


def _comments(conn: Any, items: list[dict[str, Any]], post_ids: dict[str, int], accounts: dict[str, int]) -> int:
    ids: list[int | None] = []  # by position in the file: replies name their parent's index
    added = 0
    for item in items:
        post_id, reply_to = post_ids.get(item["post_slug"]), item.get("reply_to")
        if post_id is None or (reply_to is not None and ids[reply_to] is None):
            ids.append(None)  # its post (or parent) is no longer the demo's
            continue
        key = (post_id, accounts[item["author_email"]], item["content"])
        row = conn.execute("SELECT id FROM comments WHERE post_id = %s AND user_id = %s AND content = %s", key).fetchone()
        if row is None:
            parent = ids[reply_to] if reply_to is not None else None
            row = conn.execute(
                "INSERT INTO comments (post_id, user_id, content, parent_id, is_approved)"
                " VALUES (%s, %s, %s, %s, %s) RETURNING id",
                (*key, parent, item.get("is_approved", True)),
            ).fetchone()
            added += 1
        ids.append(row["id"])
    return added


def _quiz(conn: Any, groups: list[dict[str, Any]], post_ids: dict[str, int]) -> int:
    from psycopg.types.json import Jsonb

    added = 0
    for group in groups:
        post_id = post_ids.get(group["post_slug"])
        for q in group["questions"] if post_id is not None else []:
            added += conn.execute(
                "INSERT INTO quiz_questions (post_id, question, options, answer_index, explanation)"
                " SELECT %s, %s, %s, %s, %s WHERE NOT EXISTS"
                " (SELECT 1 FROM quiz_questions WHERE post_id = %s AND question = %s)",
                (post_id, q["question"], Jsonb(q["options"]), q["answer_index"], q.get("explanation", ""),
                 post_id, q["question"]),
            ).rowcount
    return added


def _challenges(conn: Any, items: list[dict[str, Any]]) -> int:
    from psycopg.types.json import Jsonb

    first_day = date.today() + timedelta(days=CHALLENGES_END_OFFSET_DAYS - len(items) + 1)
    added = 0
    for i, item in enumerate(items):
        # Matched by title: a later run (on another day) must not add the same challenge again.
        added += conn.execute(
            "INSERT INTO challenges (day, title, question, answer, difficulty, explanation, options, accepted)"
            " SELECT %(day)s, %(title)s, %(question)s, %(answer)s, %(difficulty)s, %(explanation)s,"
            " %(options)s, %(accepted)s"
            " WHERE NOT EXISTS (SELECT 1 FROM challenges WHERE title = %(title)s)"
            " ON CONFLICT (day) DO NOTHING",
            {"day": first_day + timedelta(days=i), "explanation": "", "difficulty": "beginner", **item,
             "options": Jsonb(item["options"]) if item.get("options") else None,
             "accepted": Jsonb(item.get("accepted", []))},
        ).rowcount
    return added


def _interview(conn: Any, items: list[dict[str, Any]]) -> int:
    from psycopg.types.json import Jsonb

    added = 0
    for item in items:
        added += conn.execute(
            "INSERT INTO interview_questions (topic, difficulty, question, reference_answer, key_points)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (topic, question) DO NOTHING",
            (item["topic"], item["difficulty"], item["question"], item["reference_answer"], Jsonb(item["key_points"])),
        ).rowcount
    return added
