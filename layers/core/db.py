"""PostgreSQL access: one small psycopg 3 pool per process, reused across warm invocations.

On AWS the pool talks to RDS Proxy, so a handful of connections per container is plenty; the
proxy multiplexes them onto Aurora. Rows come back as dicts. Every query is parameterised.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # psycopg costs ~160 ms to import: only functions that query pay for it
    from typing import TypeAlias

    from psycopg import Connection
    from psycopg_pool import ConnectionPool

    Db: TypeAlias = Connection[dict[str, Any]]
    """A connection whose rows are dicts: what services receive from the unit of work."""
else:
    Db = Any

_pool: ConnectionPool | None = None
_lock = threading.Lock()


def _configure(conn: Connection) -> None:
    from pgvector.psycopg import register_vector

    try:
        register_vector(conn)
    except Exception:  # noqa: BLE001 - the extension may not exist yet (before migrations)
        conn.rollback()
    conn.commit()


def get_pool() -> ConnectionPool:
    global _pool
    if _pool is None:
        with _lock:
            if _pool is None:
                from psycopg.rows import dict_row
                from psycopg_pool import ConnectionPool

                from layers.core.settings import get_settings

                settings = get_settings()
                _pool = ConnectionPool(
                    settings.database_url,
                    min_size=1,
                    max_size=settings.db_pool_max,
                    kwargs={"row_factory": dict_row, "connect_timeout": 5, "options": "-c timezone=UTC"},
                    configure=_configure,
                    open=True,
                    timeout=10,
                )
    return _pool


@contextmanager
def connection() -> Iterator[Connection[dict[str, Any]]]:
    """A pooled connection; uncommitted work is rolled back when the block ends.

    Request, task and job code gets its connection from ``layers.core.uow`` instead; this is the
    primitive under it, used directly only by machinery with its own commit points (the outbox
    relay, the job runner's lock and run records).
    """
    with get_pool().connection() as conn:
        try:
            yield conn
        finally:
            if not conn.closed and conn.info.transaction_status != 0:  # not IDLE
                conn.rollback()


def close_pool() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.close()
            _pool = None


def ping() -> bool:
    try:
        with connection() as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - health reporting: any failure means "down"
        return False
