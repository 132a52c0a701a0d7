"""Apply the versioned SQL migrations in ``infra/migrations`` once each, in name order.

Each file runs in its own transaction together with its row in ``schema_migrations``, under an
advisory lock, so concurrent or repeated runs are safe. A migration that was edited after it was
applied is refused (its checksum no longer matches): add a new file instead.

    python -m infra.migrate [DATABASE_URL]
"""
from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import psycopg

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_LOCK_ID = 0x626C6F67  # "blog"


class MigrationError(RuntimeError):
    pass


def pending(conn: psycopg.Connection) -> list[Path]:
    applied = _applied(conn)
    files = sorted(MIGRATIONS_DIR.glob("*.sql"))
    for path in files:
        checksum = _checksum(path)
        if path.name in applied and applied[path.name] != checksum:
            raise MigrationError(f"{path.name} changed after it was applied; add a new migration")
    return [p for p in files if p.name not in applied]


def migrate(database_url: str) -> list[str]:
    """Apply every pending migration; return the names applied (empty when up to date)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " name text PRIMARY KEY, checksum text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_ID,))
        try:
            done = []
            for path in pending(conn):
                with conn.transaction():
                    conn.execute(path.read_text())
                    conn.execute(
                        "INSERT INTO schema_migrations (name, checksum) VALUES (%s, %s)",
                        (path.name, _checksum(path)),
                    )
                done.append(path.name)
            return done
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_ID,))


def _applied(conn: psycopg.Connection) -> dict[str, str]:
    rows = conn.execute("SELECT name, checksum FROM schema_migrations").fetchall()
    return {name: checksum for name, checksum in rows}


def _checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("usage: python -m infra.migrate DATABASE_URL (or set DATABASE_URL)")
    applied = migrate(url)
    print(f"migrations applied: {', '.join(applied) if applied else 'none (up to date)'}")


if __name__ == "__main__":
    main()
