"""Start (or reuse) the services the app needs and point the environment at them.

Used by ``make run`` and by the test session. A service named by the environment
(``DATABASE_URL``, ``REDIS_URL``, ``AWS_ENDPOINT_URL``) is used as it is; otherwise the embedded
one is started under ``root`` on its port from ``ports`` (``infra.local.ports``: pinned, or free).
"""
from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from infra.local.ports import Ports, start_on_port
from infra.local.services import Moto, Postgres, Redis, Service

__all__ = ["Ports", "Stack"]

# A service whose URL the environment names is used, not started: its port is never checked.
_URL_VARIABLES = {"postgres": "DATABASE_URL", "redis": "REDIS_URL", "aws": "AWS_ENDPOINT_URL"}


@dataclass
class Stack:
    root: Path
    ports: Ports = field(default_factory=Ports)
    durable: bool = True
    started: list[Service] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    def start(self) -> dict[str, str]:
        """Start what is missing, migrate, create AWS resources; return the environment to use.

        If any step fails, what was started is stopped again: nothing is left running.
        """
        try:
            return self._start_all()
        except BaseException:
            self.stop()
            raise

    def _start_all(self) -> dict[str, str]:
        began = time.monotonic()
        self.root.mkdir(parents=True, exist_ok=True)
        self.env = {"AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
                    "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
                    "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}
        self.ports.check_pinned([name for name, variable in _URL_VARIABLES.items() if not os.environ.get(variable)])
        self.env["DATABASE_URL"] = os.environ.get("DATABASE_URL") or self._start(
            "postgres", lambda port: Postgres("postgres", port, self.root / "postgres", durable=self.durable))
        self.env["REDIS_URL"] = os.environ.get("REDIS_URL") or self._start(
            "redis", lambda port: Redis("redis", port, self.root / "redis"))
        self.env["AWS_ENDPOINT_URL"] = os.environ.get("AWS_ENDPOINT_URL") or self._start(
            "aws", lambda port: Moto("moto", port, self.root / "moto"))
        self.env["JWT_SECRET"] = os.environ.get("JWT_SECRET") or self._local_jwt_secret()
        os.environ.update(self.env)
        self.migrate()
        self.provision_aws()
        self.env["STACK_STARTUP_SECONDS"] = f"{time.monotonic() - began:.2f}"
        return self.env

    def _start(self, name: str, make: Callable[[int], Postgres | Redis | Moto]) -> str:
        # Listed in self.started before it starts (a Ctrl-C during its start-up must stop it too);
        # self.ports then holds the port it got, picked free unless pinned.
        service = start_on_port(make, getattr(self.ports, name), self.ports.variables.get(name), self.started)
        setattr(self.ports, name, service.port)
        return service.url

    def _local_jwt_secret(self) -> str:
        # A local-only signing key, generated once and kept with the local data (git ignores it).
        path = self.root / "jwt_secret"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    def migrate(self) -> list[str]:
        from infra.migrate import migrate

        return migrate(self.env["DATABASE_URL"])

    def provision_aws(self) -> dict[str, str]:
        from infra.local.aws_resources import provision
        from layers.core import aws
        from layers.core.settings import get_settings, reset_settings

        reset_settings()
        aws.reset_clients()
        return provision(aws.client, get_settings())

    def stop(self) -> None:
        # All at once: nothing talks to them any more, and each one's shutdown (PostgreSQL's
        # checkpoint above all) then overlaps the others'.
        for service in self.started:
            service.begin_stop()
        for service in self.started:
            service.wait_stopped()
        self.started.clear()
