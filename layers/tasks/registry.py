"""Task types: each a pydantic payload model and a handler, declared with ``@task``.

Handlers live in ``layers.tasks.handlers``. A handler takes ``db`` (the worker's unit of work,
which commits the effect together with the task id that deduplicates it; handlers never commit)
and ``payload`` (its validated model), plus any provider of ``layers.bootstrap`` it names
(``mailer``, ``settings``, ``embeddings`` ...).
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel


@dataclass(frozen=True)
class TaskDefinition:
    name: str
    payload_model: type[BaseModel]
    handler: Callable[..., None]


_TASKS: dict[str, TaskDefinition] = {}
_loaded = False


def task(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register ``handler(db, payload, ...)``; the payload model is read from its annotation."""

    def decorator(handler: Callable[..., None]) -> Callable[..., None]:
        params = inspect.signature(handler, eval_str=True).parameters
        model = params["payload"].annotation if "payload" in params else None
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise TypeError(f"task {name!r}: needs a parameter 'payload' annotated with a pydantic model")
        if name in _TASKS and _TASKS[name].handler is not handler:
            raise ValueError(f"task {name!r} registered twice")
        _TASKS[name] = TaskDefinition(name, model, handler)
        return handler

    return decorator


def _load() -> None:
    global _loaded
    if _loaded:
        return
    # By name, not by import: handlers sit above this module (they call services).
    handlers = importlib.import_module("layers.tasks.handlers")
    for module in pkgutil.iter_modules(handlers.__path__):
        importlib.import_module(f"{handlers.__name__}.{module.name}")
    _loaded = True


def get(name: str) -> TaskDefinition:
    _load()
    try:
        return _TASKS[name]
    except KeyError:
        raise LookupError(f"unknown task type {name!r}") from None


def names() -> list[str]:
    _load()
    return sorted(_TASKS)
