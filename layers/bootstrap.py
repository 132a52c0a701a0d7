"""The composition root: the one place that builds what handlers, tasks and jobs may ask for.

A handler, task handler or job declares its needs as parameters named after providers here
(``settings``, ``clock``, ``redis``, ``aws``, and the ports ``mailer``, ``payments``,
``embeddings``, ``answers``, ``sandbox``); ``call`` supplies them. Implementations are named by
dotted path and imported on first use, so a function pays only for the providers its code asks
for (boto3, stripe or the embedding model load in the functions that use them, nowhere else).

Tests swap an implementation here and nowhere else::

    with bootstrap.override(payments=FakePayments()):
        ...
"""
from __future__ import annotations

import importlib
import inspect
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# name -> "module:factory"; the factory takes no arguments and returns the instance to provide.
FACTORIES: dict[str, str] = {
    "settings": "layers.core.settings:get_settings",
    "clock": "layers.adapters.clock:SystemClock",
    "redis": "layers.core.cache:get_redis",
    "aws": "layers.adapters.aws_clients:client_factory",
    "mailer": "layers.adapters.ses_mailer:SesMailer",
    "payments": "layers.adapters.stripe_payments:from_settings",
    "embeddings": "layers.adapters.embeddings:from_settings",
    "answers": "layers.adapters.answers:from_settings",
    "sandbox": "layers.adapters.sandbox:from_settings",
    "grader": "layers.adapters.interview_grader:from_settings",
    "revalidation": "layers.adapters.revalidation:from_settings",
    "indexnow": "layers.adapters.revalidation:indexnow_from_settings",
}
# Providers that are not cached: settings and Redis cache themselves (tests reset them).
_UNCACHED = frozenset({"settings", "redis"})

_instances: dict[str, Any] = {}
_overrides: dict[str, Any] = {}
_lock = threading.Lock()


def provide(name: str) -> Any:
    """The instance for provider ``name`` (an override when a test set one)."""
    if name in _overrides:
        return _overrides[name]
    if name in _UNCACHED:
        return _factory(name)()
    instance = _instances.get(name)
    if instance is None:
        with _lock:
            instance = _instances.get(name)
            if instance is None:
                instance = _instances[name] = _factory(name)()
    return instance


def _factory(name: str) -> Callable[[], Any]:
    try:
        path = FACTORIES[name]
    except KeyError:
        raise LookupError(f"no provider named {name!r}; known: {', '.join(sorted(FACTORIES))}") from None
    module, _, attr = path.partition(":")
    factory: Callable[[], Any] = getattr(importlib.import_module(module), attr)
    return factory


def parameters(fn: Callable[..., Any]) -> tuple[str, ...]:
    return tuple(inspect.signature(fn).parameters)


def call(fn: Callable[..., Any], given: dict[str, Any]) -> Any:
    """Call ``fn`` with each parameter taken from ``given``, else from its provider."""
    kwargs = {name: given[name] if name in given else provide(name) for name in parameters(fn)}
    return fn(**kwargs)


def check_parameters(fn: Callable[..., Any], given: frozenset[str]) -> None:
    """Fail at import time, not at the first request, when ``fn`` asks for something unknown."""
    unknown = [n for n in parameters(fn) if n not in given and n not in FACTORIES]
    if unknown:
        raise TypeError(f"{fn.__qualname__} asks for {unknown}; it may ask for "
                        f"{sorted(given | FACTORIES.keys())}")


@contextmanager
def override(**instances: Any) -> Iterator[None]:
    """Provide ``instances`` instead of the real implementations inside the block."""
    for name in instances:
        _factory(name)  # unknown names fail loudly
    saved = dict(_overrides)
    _overrides.update(instances)
    try:
        yield
    finally:
        _overrides.clear()
        _overrides.update(saved)


def reset() -> None:
    """Forget built instances (settings changed between tests, say)."""
    with _lock:
        _instances.clear()


def forget(keep: Callable[[str, Any], bool]) -> None:
    """Forget the built instances ``keep`` does not keep (a SnapStart restore: layers.core.snapstart)."""
    with _lock:
        for name, instance in list(_instances.items()):
            if not keep(name, instance):
                del _instances[name]
