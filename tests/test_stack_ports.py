"""Two stacks on one machine: free ports by default, a clear refusal for a taken pinned port."""
from __future__ import annotations

import os
import socket
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
import redis

from infra.local.ports import PortTaken, free_port, start_on_port
from infra.local.services import Redis
from tests.support.session_stack import session_root, session_stack

URL_VARIABLES = ("DATABASE_URL", "REDIS_URL", "AWS_ENDPOINT_URL")


@contextmanager
def _held_port() -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.fixture
def own_services(monkeypatch: pytest.MonkeyPatch) -> None:
    # The session's URLs are in the environment; without them a Stack starts its own services.
    # Whatever a Stack writes into the environment is undone with them.
    for name in URL_VARIABLES:
        monkeypatch.delenv(name)


def test_a_taken_pinned_port_is_refused_in_one_line_naming_its_variable(own_services, tmp_path):
    with _held_port() as port:
        stack = session_stack(tmp_path, environ={"TEST_REDIS_PORT": str(port)})
        with pytest.raises(PortTaken) as refused:
            stack.start()
    message = str(refused.value)
    assert message == f"port {port} for redis is taken by another program; set TEST_REDIS_PORT to another port"
    assert stack.started == []  # refused before anything started


def test_a_service_that_cannot_bind_says_the_port_is_taken(tmp_path):
    with _held_port() as port:
        service = Redis("redis", port, tmp_path / "redis")
        with pytest.raises(PortTaken, match=f"port {port} for redis is taken"):
            service.start()
        service.stop()


def test_a_free_port_lost_to_another_program_before_the_bind_is_picked_again(tmp_path):
    started: list[Redis] = []
    with _held_port() as held:
        attempts: list[int] = []

        def make(port: int) -> Redis:
            # The first pick "loses the race": another program got there first.
            attempts.append(port)
            return Redis("redis", held if len(attempts) == 1 else port, tmp_path / "redis")

        service = start_on_port(make, 0, "TEST_REDIS_PORT", started)
    try:
        assert len(attempts) == 2 and service.port not in (held, 0)
        assert started == [service]
        assert redis.Redis.from_url(service.url).ping()
    finally:
        service.stop()


def test_each_session_has_its_own_data_folder_unless_one_is_named():
    assert session_root(environ={}).name == f"test-{os.getpid()}"  # another process, another folder
    assert session_root(environ={"TEST_STACK_DIR": "kept"}).name == "kept"


def test_a_second_session_stack_starts_beside_this_one_on_its_own_ports(stack, own_services, tmp_path):
    second = session_stack(tmp_path, environ={})  # a session with nothing pinned: the default
    try:
        env = second.start()
        for name in URL_VARIABLES:
            assert env[name] != stack[name]
        for database_url in (stack["DATABASE_URL"], env["DATABASE_URL"]):
            with psycopg.connect(database_url, connect_timeout=5) as conn:
                assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] > 0
        for redis_url in (stack["REDIS_URL"], env["REDIS_URL"]):
            assert redis.Redis.from_url(redis_url).ping()
        for endpoint in (stack["AWS_ENDPOINT_URL"], env["AWS_ENDPOINT_URL"]):
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=5).close()
    finally:
        second.stop()


def test_free_ports_are_loopback_ports_nobody_holds():
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
