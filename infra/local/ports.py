"""The local services' ports: pinned by a variable, or asked of the kernel, never shared.

Two stacks on one machine (two ``make test`` runs, a test run beside ``make run``) must not meet
on a port: a service that cannot bind exits with a code that says nothing, or, worse, the other
stack's service answers in its place. So each port is either pinned by its variable, and a taken
one is refused up front with a line naming that variable, or chosen free by the kernel at start;
if another program takes a chosen port between the choice and the service's bind, the service is
started again on a new one.
"""
from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

ANY = 0  # a port to pick free at start
START_ATTEMPTS = 5  # a chosen port lost to another program costs one attempt


class PortTaken(RuntimeError):
    """A port is held by another program; the message is one line naming the variable to set."""

    def __init__(self, port: int, service: str, variable: str | None = None) -> None:
        self.port, self.service, self.variable = port, service, variable
        advice = f"; set {variable} to another port" if variable else ""
        super().__init__(f"port {port} for {service} is taken by another program{advice}")


def free_port() -> int:
    """A port on 127.0.0.1 that no socket holds now (the kernel's pick)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def is_free(port: int) -> bool:
    """Whether a server could bind ``port`` on 127.0.0.1 now. SO_REUSEADDR, as servers set it:
    a port whose last connections linger in TIME_WAIT is free, one with a listener is not."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def require_free(port: int, service: str, variable: str | None) -> None:
    if not is_free(port):
        raise PortTaken(port, service, variable)


@dataclass
class Ports:
    """Each service's port (``ANY``: free, picked at start) and the variable that pins it."""

    postgres: int = 54320
    redis: int = 63790
    aws: int = 4566
    variables: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, variables: Mapping[str, str], defaults: Ports | None = None,
                 environ: Mapping[str, str] = os.environ) -> Ports:
        """Ports pinned by ``variables`` (service -> variable name) where set; otherwise the
        ``defaults``' ports, or ``ANY`` without defaults."""
        chosen = {name: int(environ[variable]) if environ.get(variable) else
                  (getattr(defaults, name) if defaults else ANY) for name, variable in variables.items()}
        return cls(**chosen, variables=dict(variables))

    def check_pinned(self, names: Iterable[str]) -> None:
        """Refuse a pinned port of ``names`` that another program holds, before anything starts."""
        for name in names:
            port = getattr(self, name)
            if port != ANY:
                require_free(port, name, self.variables.get(name))


class Startable(Protocol):
    name: str

    def start(self) -> None: ...

    def stop(self) -> None: ...


S = TypeVar("S", bound=Startable)


def start_on_port(make: Callable[[int], S], port: int, variable: str | None, started: list[S]) -> S:
    """Start ``make(port)`` and return it; with ``ANY``, on a free port, picked again as long as
    another program takes it first. The service is in ``started`` from before it starts (so an
    interrupted start is stopped with the rest) until a start that failed for its port."""
    lost: PortTaken | None = None
    for _ in range(START_ATTEMPTS):
        service = make(port or free_port())
        started.append(service)
        try:
            service.start()
            return service
        except PortTaken as exc:
            service.stop()
            started.remove(service)
            lost = PortTaken(exc.port, exc.service, variable)
            if port != ANY:
                break
    assert lost is not None
    raise lost
