"""Databases for benchmarks: a fresh, migrated one per size beside the stack's own."""
from __future__ import annotations

import os


def fresh_database(admin_url: str, name: str) -> str:
    """Drop and create ``name`` (a constant of the calling benchmark), migrate it, return its URL."""
    import psycopg

    from infra.migrate import migrate

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    migrate(url)
    return url


def use_database(url: str) -> None:
    """Point the app of this process at ``url`` (the pool and settings are rebuilt on next use)."""
    from layers.core import db
    from layers.core.settings import reset_settings

    db.close_pool()
    os.environ["DATABASE_URL"] = url
    reset_settings()
