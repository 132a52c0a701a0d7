"""A transaction PostgreSQL aborts as a conflict runs again; one that keeps conflicting is a 409.

The deadlock here is real: two units of work lock two rows in opposite orders, held at a barrier
between the locks, so PostgreSQL must abort one of them.
"""
from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from layers.core.uow import UnitOfWork, is_conflict


def _accounts(stack: dict[str, str]) -> tuple[int, int]:
    import psycopg

    with psycopg.connect(stack["DATABASE_URL"], autocommit=True) as conn:
        ids = [conn.execute(
            "INSERT INTO users (email, name, password_hash) VALUES (%s, %s, 'x') RETURNING id",
            (f"{name}@example.com", name)).fetchone()[0] for name in ("first", "second")]
    return ids[0], ids[1]


def test_a_deadlocked_unit_of_work_runs_again_and_both_sides_commit(stack):
    from layers.tasks.relay import unit_of_work

    first, second = _accounts(stack)
    barrier = threading.Barrier(2, timeout=20)
    attempts: dict[str, int] = {"a": 0, "b": 0}
    errors: list[BaseException] = []

    def work(uow: UnitOfWork, name: str, order: tuple[int, int]) -> None:
        attempts[name] += 1
        uow.conn.execute("UPDATE users SET xp = xp + 1 WHERE id = %s", (order[0],))
        if attempts[name] == 1:
            barrier.wait()  # both hold their first row before either asks for its second
        uow.conn.execute("UPDATE users SET xp = xp + 1 WHERE id = %s", (order[1],))

    def side(name: str, order: tuple[int, int]) -> None:
        try:
            with unit_of_work() as uow:
                uow.run(lambda: work(uow, name, order))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=side, args=("a", (first, second))),
               threading.Thread(target=side, args=("b", (second, first)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(attempts.values()) == [1, 2]  # exactly one side was aborted and ran again
    import psycopg

    with psycopg.connect(stack["DATABASE_URL"]) as conn:
        totals = [row[0] for row in conn.execute("SELECT xp FROM users WHERE id IN (%s, %s)", (first, second))]
    assert totals == [2, 2]  # each side's two increments, once: the aborted attempt left nothing


def test_work_that_keeps_conflicting_gives_up_after_the_bounded_attempts(stack):
    import psycopg

    from layers.tasks.relay import unit_of_work

    calls = 0

    def always_conflicts() -> None:
        nonlocal calls
        calls += 1
        raise psycopg.errors.SerializationFailure("could not serialize access")

    with pytest.raises(psycopg.errors.SerializationFailure), unit_of_work() as uow:
        uow.run(always_conflicts, attempts=3)
    assert calls == 3


def test_other_errors_are_not_run_again(stack):
    from layers.tasks.relay import unit_of_work

    calls = 0

    def fails() -> None:
        nonlocal calls
        calls += 1
        raise ValueError("not a conflict")

    with pytest.raises(ValueError), unit_of_work() as uow:
        uow.run(fails)
    assert calls == 1


def test_an_aborted_attempt_forgets_its_queued_tasks(stack):
    """Tasks the aborted attempt wrote to the outbox were rolled back; only the last attempt's are relayed."""
    import psycopg

    from layers.tasks import outbox
    from layers.tasks.relay import unit_of_work

    first, _ = _accounts(stack)
    attempt = 0

    def work(uow: UnitOfWork) -> None:
        nonlocal attempt
        attempt += 1
        outbox.enqueue(uow.conn, "leaderboard_sync", {"user_id": first, "week": "2026-W10"})
        if attempt == 1:
            raise psycopg.errors.DeadlockDetected("deadlock detected")

    with unit_of_work() as uow:
        uow.run(lambda: work(uow))
    with psycopg.connect(stack["DATABASE_URL"]) as conn:
        rows = conn.execute("SELECT payload FROM task_outbox WHERE task_type = 'leaderboard_sync'").fetchall()
    assert len(rows) == 1


@pytest.mark.parametrize("error_name", ["DeadlockDetected", "SerializationFailure"])
def test_a_persisting_conflict_is_a_409_not_an_outage(stack, error_name):
    import psycopg

    from layers.http.errors import error_response

    exc: Any = getattr(psycopg.errors, error_name)("aborted")
    assert is_conflict(exc)
    reply = error_response(exc)
    assert reply.status_code == 409
    assert reply.headers["Retry-After"] == "1"
    detail = json.loads(reply.body)["detail"]
    assert "unavailable" not in detail and "send it again" in detail


def test_a_lost_connection_is_still_an_outage(stack):
    import psycopg

    from layers.http.errors import error_response

    exc = psycopg.OperationalError("server closed the connection unexpectedly")
    assert not is_conflict(exc)
    assert error_response(exc).status_code == 503


def test_write_routes_document_the_409(api):
    document = api.get("/api/openapi.json").json
    assert "409" in document["paths"]["/api/progress/{post_id}/read"]["post"]["responses"]
    assert "409" not in document["paths"]["/api/posts"]["get"]["responses"]
