"""Router registry.

Every module in this package is one deployable function: a router (a module exposing ``router``,
a ``layers.http.routing.Router`` whose blueprint holds its routes) or the SQS ``worker``.
Scheduled functions live in the top-level ``scheduled`` package. Names come from the file system,
so adding a router is adding a file: nothing else keeps a list.
"""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType
from typing import Any

_HERE = Path(__file__).parent
_SCHEDULED = _HERE.parent / "scheduled"
EVENT_MODULES = frozenset({"worker"})


def router_names() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(_HERE)])
                  if m.name not in EVENT_MODULES and not m.name.startswith("_"))


def event_module_paths() -> list[str]:
    """Dotted paths of modules holding event handlers (SQS worker, schedules)."""
    scheduled = sorted(f"scheduled.{m.name}" for m in pkgutil.iter_modules([str(_SCHEDULED)])
                       if not m.name.startswith("_"))
    return [f"functions.{name}" for name in sorted(EVENT_MODULES)] + scheduled


def load_router(name: str) -> ModuleType:
    if name not in router_names():
        raise LookupError(f"unknown router {name!r}; known: {', '.join(router_names())}")
    return importlib.import_module(f"functions.{name}")


def blueprints(selected: str | None) -> list[Any]:
    """Blueprints to register: one router's (``ROUTER=<name>``) or every router's and handler's."""
    if selected:
        return [load_router(selected).router.blueprint]
    found = [load_router(name).router.blueprint for name in router_names()]
    found += [importlib.import_module(path).blueprint for path in event_module_paths()]
    return found
