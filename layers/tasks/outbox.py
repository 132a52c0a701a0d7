"""Write tasks to the transactional outbox, and remember them for the post-commit relay."""
from __future__ import annotations

import contextvars
import uuid
from typing import Any

from pydantic import BaseModel

from layers.core.db import Db
from layers.tasks import registry

# Ids enqueued by the current request/record; the relay sends them once the caller commits.
_pending: contextvars.ContextVar[tuple[uuid.UUID, ...]] = contextvars.ContextVar("outbox_pending", default=())


def enqueue(conn: Db, task_type: str, payload: BaseModel | dict[str, Any]) -> uuid.UUID:
    """Insert a task row in the caller's transaction; it is sent only if that transaction commits."""
    from psycopg.types.json import Jsonb

    definition = registry.get(task_type)
    data = definition.payload_model.model_validate(
        payload.model_dump() if isinstance(payload, BaseModel) else payload
    ).model_dump(mode="json")
    task_id = uuid.uuid4()
    conn.execute(
        "INSERT INTO task_outbox (id, task_type, payload) VALUES (%s, %s, %s)",
        (task_id, task_type, Jsonb(data)),
    )
    _pending.set(_pending.get() + (task_id,))
    return task_id


def has_pending() -> bool:
    return bool(_pending.get())


def restore_pending(ids: tuple[uuid.UUID, ...]) -> None:
    _pending.set(ids + _pending.get())


def take_pending() -> tuple[uuid.UUID, ...]:
    ids = _pending.get()
    _pending.set(())
    return ids
