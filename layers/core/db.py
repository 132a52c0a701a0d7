"""PostgreSQL access: one small psycopg 3 pool per process, reused across warm invocations.

On AWS the pool talks to RDS Proxy, so a handful of connections per container is plenty; the
proxy multiplexes them onto Aurora. Rows come back as dicts. Every query is parameterised.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # psycopg costs ~160 ms to import: only functions that query pay for it
    from typing import TypeAlias

    from psycopg import Connection
    from psycopg_pool import ConnectionPool

    Db: TypeAlias = Connection[dict[str, Any]]
    """A connection whose rows are dicts: what services receive from the unit of work."""
else:
    Db = Any

_pool: ConnectionPool[Connection[dict[str, Any]]] | None = None
_lock = threading.Lock()


def _configure(conn: Connection) -> None:
    from pgvector.psycopg import register_vector

    try:
        register_vector(conn)
    except Exception:  # noqa: BLE001 - the extension may not exist yet (before migrations)
        conn.rollback()
    conn.commit()


def get_pool() -> ConnectionPool[Connection[dict[str, Any]]]:
    global _pool
    if _pool is None:
        with _lock:
            if _pool is None:
                from psycopg.rows import dict_row
                from psycopg_pool import ConnectionPool

                from layers.core.settings import get_settings

                settings = get_settings()
                threshold = settings.db_prepare_threshold or None  # 0: never prepare
                _pool = cast("ConnectionPool[Connection[dict[str, Any]]]", ConnectionPool(
                    settings.database_url,
                    min_size=1,
                    max_size=settings.db_pool_max,
                    kwargs={"row_factory": dict_row, "connect_timeout": settings.db_connect_timeout,
                            "options": "-c timezone=UTC", "prepare_threshold": threshold},
                    configure=_configure,
                    open=True,
                    timeout=settings.db_checkout_timeout,
                ))  # rows are dicts: row_factory=dict_row
    return _pool


@contextmanager
def connection(timeout: float | None = None, read_only: bool = False) -> Iterator[Connection[dict[str, Any]]]:
    """A pooled connection; uncommitted work is rolled back when the block ends.

    Request, task and job code gets its connection from ``layers.core.uow`` instead; this is the
    primitive under it, used directly only by machinery with its own commit points (the outbox
    relay, the job runner's lock and run records). ``DatabaseUnavailable`` when no connection
    can be had within ``timeout`` (default: the configured checkout timeout).

    ``read_only``: the caller only reads (a GET), so the connection runs in autocommit: no
    BEGIN/ROLLBACK round trips, and no rollback to reset psycopg's prepared-statement counters,
    so hot queries get prepared. With ``DB_GUARD_READS`` (the tests set it) the session is also
    made read-only, so a GET that writes fails loudly instead of writing outside a transaction.
    """
    from psycopg import OperationalError
    from psycopg_pool import PoolTimeout

    from layers.core.errors import DatabaseUnavailable

    pool = get_pool()
    try:
        conn = pool.getconn(timeout=timeout)
    except (PoolTimeout, OperationalError) as exc:
        raise DatabaseUnavailable() from exc
    guarded = False
    try:
        if read_only:
            conn.autocommit = True
            guarded = _guard_reads(conn)
        yield conn
    finally:
        try:
            if not conn.closed and conn.info.transaction_status != 0:  # not IDLE
                conn.rollback()
            if guarded and not conn.closed:
                conn.execute("SET default_transaction_read_only = off")
            if not conn.closed and conn.autocommit:
                conn.autocommit = False
        except Exception:  # noqa: BLE001 - a broken connection: putconn discards it
            pass
        pool.putconn(conn)


def _guard_reads(conn: Connection[dict[str, Any]]) -> bool:
    from layers.core.settings import get_settings

    if not get_settings().db_guard_reads:
        return False
    conn.execute("SET default_transaction_read_only = on")
    return True


def close_pool() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.close()
            _pool = None


def ping() -> bool:
    """Whether PostgreSQL answers within half a second (health must answer fast when it is down)."""
    try:
        with connection(timeout=0.5) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - health reporting: any failure means "down"
        return False
