"""The demo loader: everything under infra/demo lands once, and a second run changes nothing."""
from __future__ import annotations

import shutil
from datetime import date, timedelta

from infra.local import demo
from tests.support.content import db_rows

TABLES = ("users", "tags", "series", "posts", "post_tags", "comments", "quiz_questions", "challenges",
          "interview_questions", "task_outbox")


def _snapshot() -> dict[str, list[tuple]]:
    # Table names are the constants above.
    return {t: db_rows(f"SELECT * FROM {t} ORDER BY 1, 2") for t in TABLES}


def test_load_everything(api, drain):
    summary = demo.load()
    assert summary["posts written"] == 32
    counts = {t: db_rows(f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}
    assert counts["tags"] == 26 and counts["series"] == 6 and counts["posts"] == 32
    assert counts["comments"] == 13 and counts["quiz_questions"] == 80 and counts["challenges"] == 32
    assert counts["interview_questions"] == 16

    admin_id = summary["accounts"]["admin@example.com"]
    assert db_rows("SELECT DISTINCT author_id FROM posts") == [(admin_id,)]
    assert db_rows("SELECT count(*) FROM posts WHERE status = 'draft' AND published_at IS NULL")[0][0] == 3
    days_ago = db_rows("SELECT round(extract(epoch FROM now() - published_at) / 86400)::int FROM posts"
                       " WHERE slug = 'understanding-postgresql-indexes'")[0][0]
    assert days_ago == 180

    listed = api.get("/api/posts?page_size=100").json
    assert listed["total"] == 29
    assert api.get("/api/series/postgres-in-practice").json["post_count"] == 5
    tags = {t["slug"]: t["post_count"] for t in api.get("/api/tags").json["items"]}
    assert tags["postgresql"] >= 5

    replies = db_rows("SELECT c.content, p.content FROM comments c JOIN comments p ON p.id = c.parent_id"
                      " ORDER BY c.id")
    assert replies[0][0].startswith("Same here") and replies[0][1].startswith("The partial index example")
    assert db_rows("SELECT DISTINCT u.email FROM comments c JOIN users u ON u.id = c.user_id ORDER BY 1") == [
        ("alice@example.com",), ("bob@example.com",), ("carol@example.com",)]

    days = [d for (d,) in db_rows("SELECT day FROM challenges ORDER BY day")]
    assert days[-1] == date.today() + timedelta(days=7)
    assert days == [days[0] + timedelta(days=i) for i in range(32)]

    drain()
    chunked = db_rows("SELECT count(DISTINCT post_id), max(array_length(regexp_split_to_array(trim(content),"
                      " '\\s+'), 1)) FROM rag_chunks")[0]
    assert chunked[0] == 29 and chunked[1] <= 200  # chunks hold no visibility: queries read the post's


def test_second_run_changes_nothing():
    demo.load()
    before = _snapshot()
    again = demo.load()
    assert again["posts written"] == 0 and again["comments added"] == 0
    assert again["quiz questions added"] == 0 and again["challenges added"] == 0
    assert again["interview questions added"] == 0
    assert _snapshot() == before


def test_an_edited_file_updates_its_post(tmp_path):
    copy = tmp_path / "demo"
    shutil.copytree(demo.DEMO_DIR, copy)
    demo.load(copy)
    path = next((copy / "posts").glob("01-*.md"))
    path.write_text(path.read_text().replace("title: Understanding PostgreSQL Indexes", "title: Indexes, Revisited"))
    outbox_before = db_rows("SELECT count(*) FROM task_outbox WHERE task_type = 'embed_post'")[0][0]
    summary = demo.load(copy)
    assert summary["posts written"] == 1
    assert db_rows("SELECT title FROM posts WHERE slug = 'understanding-postgresql-indexes'") == [
        ("Indexes, Revisited",)]
    assert db_rows("SELECT count(*) FROM task_outbox WHERE task_type = 'embed_post'")[0][0] == outbox_before + 1
    assert db_rows("SELECT count(*) FROM posts")[0][0] == 32


def test_front_matter_parsing():
    post = demo.parse_post(next((demo.DEMO_DIR / "posts").glob("01-*.md")))
    assert post["slug"] == "understanding-postgresql-indexes" and post["series_position"] == 1
    assert post["tags"] == ["postgresql", "databases", "performance"] and post["is_premium"] is False
    assert post["content"].startswith("An index is a separate data structure")
    assert post["published_days_ago"] == 180


def test_reloading_respects_what_admins_changed(api, drain):
    """A renamed tag keeps its name and a renamed post keeps its slug: the next start loads the
    rest of the demo and neither fails nor undoes the edits."""
    demo.load()
    login = api.post("/api/auth/login", {"email": "admin@example.com", "password": demo.DEMO_PASSWORD})
    token = login.json["access_token"]
    tag_id = db_rows("SELECT id FROM tags WHERE slug = 'sql'")[0][0]
    assert api.patch(f"/api/tags/{tag_id}", {"slug": "sql-renamed"}, token=token).status == 200
    post_id, slug = db_rows("SELECT id, slug FROM posts WHERE status = 'published' ORDER BY id LIMIT 1")[0]
    assert api.patch(f"/api/posts/{post_id}", {"slug": "my-own-slug"}, token=token).status == 200

    demo.load()
    assert db_rows("SELECT slug FROM tags WHERE name = 'SQL'") == [("sql-renamed",)]
    assert db_rows("SELECT count(*) FROM posts WHERE slug = %s", slug) == [(0,)]
    assert db_rows("SELECT slug FROM posts WHERE id = %s", post_id) == [("my-own-slug",)]
