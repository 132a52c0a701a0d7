"""Versioned migrations: applied once, recorded, idempotent, edits refused."""
from __future__ import annotations

import shutil

import psycopg
import pytest

from infra import migrate as migrations


@pytest.fixture
def scratch_db(stack):
    admin = stack["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS migrate_scratch")
        conn.execute("CREATE DATABASE migrate_scratch")
    yield stack["DATABASE_URL"].rsplit("/", 1)[0] + "/migrate_scratch"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS migrate_scratch WITH (FORCE)")


def test_migrate_applies_everything_once_and_records_it(scratch_db):
    files = sorted(p.name for p in migrations.MIGRATIONS_DIR.glob("*.sql"))
    assert migrations.migrate(scratch_db) == files
    assert migrations.migrate(scratch_db) == []
    with psycopg.connect(scratch_db) as conn:
        recorded = [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY name")]
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert recorded == files
    assert {"users", "posts", "rag_chunks", "task_outbox", "stripe_events", "job_runs"} <= tables


def test_an_edited_migration_is_refused(scratch_db, tmp_path, monkeypatch):
    copy = tmp_path / "migrations"
    shutil.copytree(migrations.MIGRATIONS_DIR, copy)
    monkeypatch.setattr(migrations, "MIGRATIONS_DIR", copy)
    migrations.migrate(scratch_db)
    first = sorted(copy.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited\n")
    with pytest.raises(migrations.MigrationError, match="changed after it was applied"):
        migrations.migrate(scratch_db)


def test_schema_enforces_its_invariants(stack):
    with psycopg.connect(stack["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("INSERT INTO users (email, name) VALUES ('a@example.com', 'A')")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO users (email, name) VALUES ('a@example.com', 'B')")
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO users (email, name) VALUES ('Upper@example.com', 'C')")
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO users (email, name, role) VALUES ('b@example.com', 'B', 'root')")
        conn.execute("INSERT INTO posts (slug, title) VALUES ('a-post', 'A post')")
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO posts (slug, title, status) VALUES ('b-post', 'B', 'published')")
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO posts (slug, title) VALUES ('Bad Slug', 'B')")
        conn.execute("INSERT INTO bookmarks (user_id, post_id) SELECT u.id, p.id FROM users u, posts p")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO bookmarks (user_id, post_id) SELECT u.id, p.id FROM users u, posts p")
        conn.execute("DELETE FROM users")
        assert conn.execute("SELECT count(*) FROM bookmarks").fetchone()[0] == 0  # ON DELETE CASCADE


def test_vector_and_text_indexes_exist(stack):
    with psycopg.connect(stack["DATABASE_URL"]) as conn:
        indexes = {r[0]: r[1] for r in conn.execute("SELECT indexname, indexdef FROM pg_indexes")}
    assert "USING hnsw" in indexes["rag_chunks_embedding_idx"]
    assert "USING gin" in indexes["posts_search_idx"]


def test_pgvector_handles_real_embedding_sizes(stack):
    """384-dimension vectors through the HNSW index (a pgvector built for the wrong CPU dies here)."""
    with psycopg.connect(stack["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("INSERT INTO posts (slug, title) VALUES ('p', 'P')")
        conn.execute(
            "INSERT INTO rag_chunks (post_id, chunk_index, content, embedding)"
            " SELECT (SELECT id FROM posts), g, 'chunk ' || g,"
            " (SELECT array_agg(sin(g * i))::real[] FROM generate_series(1, 384) i)::vector"
            " FROM generate_series(1, 50) g")
        conn.execute("ANALYZE rag_chunks")
        conn.execute("SET enable_seqscan = off")
        plan = "\n".join(r[0] for r in conn.execute(
            "EXPLAIN SELECT id FROM rag_chunks ORDER BY embedding <=> (SELECT embedding FROM rag_chunks"
            " WHERE chunk_index = 7) LIMIT 3"))
        nearest = conn.execute(
            "SELECT chunk_index FROM rag_chunks ORDER BY embedding <=> (SELECT embedding FROM rag_chunks"
            " WHERE chunk_index = 7) LIMIT 1").fetchone()[0]
    assert "rag_chunks_embedding_idx" in plan
    assert nearest == 7
