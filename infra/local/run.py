"""``make run``: the embedded local stack, demo data, the API, the scheduler and the SQS poller.

    python -m infra.local.run

Everything runs until Ctrl-C or SIGTERM (however the program was started), which stops every
child process. Data lives under ``.local/``. Rate limits default to ten times production's
(``infra.local.limits``); the banner says which apply.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from infra.local.console import say, stop_on_signals
from infra.local.limits import apply_local_defaults as apply_local_limits
from infra.local.limits import describe as describe_limits
from infra.local.ports import Ports, PortTaken, require_free
from infra.local.stack import Stack

ROOT = Path(__file__).resolve().parents[2]
LOCAL_PORT_VARIABLES = {"postgres": "LOCAL_PG_PORT", "redis": "LOCAL_REDIS_PORT", "aws": "LOCAL_AWS_PORT"}


def main() -> None:
    began = time.monotonic()
    stop = threading.Event()
    stop_on_signals(stop)
    # Fixed defaults (the contract's AWS emulator is on 4566, a frontend is configured once); a
    # taken one is refused with the variable that moves it.
    ports = Ports.from_env(LOCAL_PORT_VARIABLES, defaults=Ports())
    stack = Stack(Path(os.environ.get("LOCAL_DATA_DIR", ROOT / ".local" / "run")), ports=ports)
    port = int(os.environ.get("PORT", "8000"))
    os.environ.setdefault("ADMIN_EMAILS", "admin@example.com")
    # One process serves every router, the poller and the scheduler here, where Lambda would run
    # one function per container: a larger pool keeps one slow caller from starving the rest.
    os.environ.setdefault("DB_POOL_MAX", "10")
    # Local only, and documented in the README so a developer can sign a webhook with curl.
    os.environ.setdefault("STRIPE_WEBHOOK_SECRET", "whsec_local_development_only")
    own_limits = {name for name in os.environ if name.startswith("RATE_LIMIT_")}
    limits = describe_limits(apply_local_limits(os.environ), own_limits)
    server = None
    workers: list[threading.Thread] = []
    refused = None
    try:
        require_free(port, "the API", "PORT")
        stack.start()
        _load_demo()
        from app import app
        from infra.local.http_server import local_server
        from infra.local.poller import SqsPoller
        from infra.local.scheduler import Scheduler

        http = local_server(app, "127.0.0.1", port)
        workers = [Scheduler(app, stop), SqsPoller(app, stop)]
        for worker in workers:
            worker.start()
        # The socket server's own loop: LocalDevServer.serve_forever would print a banner of its
        # own from this thread, where a closed stdout would end the loop.
        threading.Thread(target=http.server.serve_forever, daemon=True, name="http").start()
        server = http  # serving: shutdown() may wait for its loop now
        say(limits)
        say(f"local stack up in {time.monotonic() - began:.1f}s: API on http://127.0.0.1:{port}/api "
            f"(docs: /api/docs), AWS emulator on {os.environ['AWS_ENDPOINT_URL']}")
        stop.wait()
    except KeyboardInterrupt:
        pass
    except PortTaken as exc:
        refused = str(exc)
    finally:
        _shut_down(stack, stop, server, workers)
    sys.exit(refused)  # None: status 0; a message: on stderr, status 1


def _load_demo() -> None:
    """Demo data must never keep the API from starting: on any failure, say so and go on."""
    from infra.local import demo

    try:
        demo.load()
    except Exception as exc:  # noqa: BLE001 - reported, then the stack starts without it
        say(f"demo data not loaded ({type(exc).__name__}: {exc}); starting without it")


def _shut_down(stack: Stack, stop: threading.Event, server: object, workers: list[threading.Thread]) -> None:
    """Stop in dependency order: no new requests, then the poller and scheduler (which talk to the
    emulator and the database), then the connection pool, then the services themselves, which are
    stopped whatever went wrong before."""
    stop.set()  # first: from here on a second Ctrl-C is ignored (console.stop_on_signals)
    began = time.monotonic()
    try:
        say("stopping local stack")
        if server is not None:
            server.shutdown()  # type: ignore[attr-defined]
        for worker in workers:
            worker.join(5)
        from layers.core import db

        db.close_pool()
    finally:
        stack.stop()
    say(f"stopped in {time.monotonic() - began:.1f}s")


if __name__ == "__main__":
    main()
