"""``make run``: the embedded local stack, demo data, the API, the scheduler and the SQS poller.

    python -m infra.local.run

Everything runs until Ctrl-C, which stops every child process. Data lives under ``.local/``.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

from infra.local.stack import Ports, Stack

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    began = time.monotonic()
    # The defaults are the contract's (AWS emulator on 4566); the overrides let two stacks coexist.
    ports = Ports(postgres=int(os.environ.get("LOCAL_PG_PORT", "54320")),
                  redis=int(os.environ.get("LOCAL_REDIS_PORT", "63790")),
                  aws=int(os.environ.get("LOCAL_AWS_PORT", "4566")))
    stack = Stack(Path(os.environ.get("LOCAL_DATA_DIR", ROOT / ".local" / "run")), ports=ports)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    os.environ.setdefault("ADMIN_EMAILS", "admin@example.com")
    try:
        stack.start()
        from infra.local import demo

        demo.load()
        from app import app
        from infra.local.http_server import local_server
        from infra.local.poller import SqsPoller
        from infra.local.scheduler import Scheduler

        port = int(os.environ.get("PORT", "8000"))
        server = local_server(app, "127.0.0.1", port)
        workers = [Scheduler(app, stop), SqsPoller(app, stop)]
        for worker in workers:
            worker.start()
        threading.Thread(target=server.serve_forever, daemon=True, name="http").start()
        print(f"local stack up in {time.monotonic() - began:.1f}s: API on http://127.0.0.1:{port}/api "
              f"(docs: /api/docs), AWS emulator on {os.environ['AWS_ENDPOINT_URL']}", flush=True)
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        print("stopping local stack", flush=True)
        stop.set()
        stack.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
