"""One unit of work: one PostgreSQL transaction, committed or rolled back as a whole.

The route decorator opens one per request, the SQS worker one per message, the job runner one
per run. Services receive its connection and never commit: the unit of work commits when the
caller's code returns and rolls back when it raises.

What happens after the commit is the caller's: the route decorator, the worker and the job
runner pass the outbox relay (``layers.tasks.relay.unit_of_work``), which sends the tasks the
work wrote to SQS once they exist, and forgets them when the work rolled back.

The one exception: an error marked with ``fail_after_commit`` keeps the changes made before it
(a reused refresh token revokes its whole family *and* answers 401). It is the only way a
service can make its writes outlive an error, and it is visible where it is used.

The connection is checked out of the pool on first use, so a request that never touches the
database (a health probe of Redis, a static page) costs no checkout at all.

Conflicts: PostgreSQL may abort a transaction to break a deadlock or a serialization conflict with
another one. Such a transaction changed nothing, and nothing of it has left the database yet (its
tasks are outbox rows, relayed only after the commit), so ``UnitOfWork.run`` rolls back and runs
the work again, a bounded number of times with a random pause, instead of failing the request.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, TypeVar

from layers.core.logging import get_logger

if TYPE_CHECKING:
    from layers.core.db import Db

log = get_logger("uow")
E = TypeVar("E", bound=BaseException)
T = TypeVar("T")

# deadlock_detected and serialization_failure: the server aborted the transaction to let another
# one proceed; the same work run again on a fresh transaction normally succeeds.
CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})
CONFLICT_ATTEMPTS = 4
CONFLICT_PAUSE_SECONDS = 0.02  # the first retry waits up to 2x this, then 4x, 8x (random: jitter)


def is_conflict(error: BaseException) -> bool:
    """Whether PostgreSQL aborted the transaction because of a concurrent one (safe to run again)."""
    return getattr(error, "sqlstate", None) in CONFLICT_SQLSTATES


def fail_after_commit(error: E) -> E:
    """Mark ``error`` so the unit of work commits what was written before raising it."""
    error.keeps_changes = True  # type: ignore[attr-defined]
    return error


def keeps_changes(error: BaseException) -> bool:
    return bool(getattr(error, "keeps_changes", False))


class UnitOfWork:
    """A lazily opened transaction on a pooled connection."""

    def __init__(self, read_only: bool = False, after_rollback: Callable[[], object] | None = None) -> None:
        self.read_only = read_only
        self._after_rollback = after_rollback
        self._checkout: AbstractContextManager[Db] | None = None
        self._conn: Db | None = None

    @property
    def conn(self) -> Db:
        if self._conn is None:
            from layers.core import db

            self._checkout = db.connection(read_only=self.read_only)
            self._conn = self._checkout.__enter__()
        return self._conn

    def commit(self) -> None:
        if self._conn is not None:
            self._conn.commit()

    def rollback(self) -> None:
        if self._conn is not None and not self._conn.closed:
            self._conn.rollback()

    def run(self, work: Callable[[], T], attempts: int = CONFLICT_ATTEMPTS) -> T:
        """``work()``, run again on a new transaction when PostgreSQL aborts it as a conflict.

        ``work`` must keep every effect inside this unit of work (writes, and tasks through the
        outbox), so that a rolled-back attempt left nothing behind. After the last attempt the
        conflict is raised; the HTTP layer answers it with 409 and ``Retry-After``.
        """
        for attempt in range(1, attempts + 1):
            try:
                return work()
            except Exception as exc:
                if attempt == attempts or not is_conflict(exc):
                    raise
                self.rollback()
                if self._after_rollback is not None:
                    self._after_rollback()  # the outbox forgets the aborted attempt's tasks
                log.info("transaction aborted by a concurrent one; running it again",
                         extra={"attempt": attempt, "sqlstate": getattr(exc, "sqlstate", None)})
                time.sleep(random.uniform(0, CONFLICT_PAUSE_SECONDS * 2 ** attempt))
        raise AssertionError("unreachable: the last attempt returns or raises")

    def release(self) -> None:
        """Commit what was done so far and give the connection back; a later use opens another.

        For a request whose handler never touches the database (code execution): the sign-in
        lookup must not hold a pooled connection, idle in a transaction, while the handler runs.
        """
        self.commit()
        self.close()

    def close(self) -> None:
        if self._checkout is not None:
            checkout, self._checkout, self._conn = self._checkout, None, None
            checkout.__exit__(None, None, None)


@contextmanager
def unit_of_work(after_commit: Callable[[], object] | None = None,
                 after_rollback: Callable[[], object] | None = None,
                 read_only: bool = False) -> Iterator[UnitOfWork]:
    """Commit on return, roll back on error (unless it ``keeps_changes``); then the hook.

    ``read_only``: the work only reads (a GET), so it runs without a transaction.
    """
    uow = UnitOfWork(read_only, after_rollback)
    committed = False
    try:
        try:
            yield uow
        except BaseException as exc:
            if keeps_changes(exc):
                uow.commit()
                committed = True
            else:
                uow.rollback()
            raise
        uow.commit()
        committed = True
    finally:
        uow.close()
        hook = after_commit if committed else after_rollback
        if hook is not None:
            hook()
