"""What the local programs tell the developer, and how they stop: neither may be cut short.

``make run`` is started from terminals that close, behind pipes whose reader exits, and in the
background by shells and CI runners. A message that cannot be written must not skip stopping the
services, and a stop request must work whatever signal dispositions the program inherited.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType


def say(message: str) -> None:
    """Print a line; if nobody reads stdout any more, go on without it."""
    try:
        print(message, flush=True)
    except (OSError, ValueError):  # BrokenPipeError, EIO from a hung-up terminal, a closed stream
        _discard_stdout()


def _discard_stdout() -> None:
    # Python's advice for a reader that went away: point the descriptor at /dev/null, so that the
    # text still buffered, later prints and the interpreter's flush at exit all succeed quietly.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def stop_on_signals(stopping: threading.Event) -> None:
    """Make SIGINT and SIGTERM stop the program, however it was started.

    A shell or CI runner that starts a program in the background hands it SIGINT as ignored, and
    Python then installs no KeyboardInterrupt handler: Ctrl-C, or a script's ``kill -INT``, would
    do nothing. Both handlers are installed explicitly, before any service starts (a child keeps
    an ignored signal across exec, but not a handler). The first signal raises KeyboardInterrupt
    in the main thread, which ends start-up or the wait for requests alike; later ones, once
    ``stopping`` is set, are ignored, so a second Ctrl-C cannot cut the shutdown short and leave
    services running (they have their own sessions and never see the terminal's signals).
    """

    def handle(signum: int, frame: FrameType | None) -> None:
        if stopping.is_set():
            return
        stopping.set()
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handle)
