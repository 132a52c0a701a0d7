"""The real sandbox: one fresh WebAssembly instance per run, in a child the parent can kill.

The warm function holds the engine and the compiled interpreter (loaded once, memory-mapped).
Each run forks a child that instantiates the module in a new store and runs the code; the
parent streams the child's capped stdout and stderr, watches the scratch directory's size, and
kills the child at the deadline. A kill is needed because wasmtime's epoch interruption only
stops WebAssembly code: a guest blocked in a host call (``time.sleep``, a read) would hang the
caller. The epoch timer in the child stops busy loops at the same deadline with the output so
far; the parent's kill, a moment later, covers everything else.

The parent itself never runs WebAssembly, and must not: wasmtime's WASI does host I/O on a
global runtime whose worker threads start on first use, and a child forked after that inherits
the runtime without its threads and hangs at its first file operation (measured: every run then
ends at the deadline). Loading the module and linking WASI in the parent are safe.

Runs per warm function are bounded by a semaphore; a run over the bound is refused at once
with ``DependencyUnavailable`` (503 + Retry-After), so requests never pile up behind each other.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from layers.adapters.sandbox import child, runtime
from layers.core.errors import DependencyUnavailable
from layers.core.ports import ExecutionResult

if TYPE_CHECKING:
    import wasmtime

KILL_GRACE_S = 0.25  # the epoch timer fires at the deadline; the kill follows this much later
SCRATCH_POLL_S = 0.02


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 5.0
    memory_bytes: int = 256 * 2**20
    output_bytes: int = 64 * 1024
    scratch_bytes: int = 16 * 2**20
    concurrency: int = 2


@dataclass
class _Streams:
    stdout: bytearray
    stderr: bytearray
    status: bytearray


class WasmSandbox:
    """``CodeSandbox`` backed by CPython for WASI under wasmtime."""

    def __init__(self, limits: Limits, cache_dir: Path, work_dir: Path | None = None) -> None:
        self.limits = limits
        self._cache_dir = cache_dir
        self._work_dir = work_dir
        self._slots = threading.BoundedSemaphore(limits.concurrency)
        self._load_lock = threading.Lock()
        self._loaded: tuple[wasmtime.Engine, wasmtime.InstancePre] | None = None

    def warm(self) -> None:
        """Load the compiled interpreter now (a benchmark's cold start, a test's setup)."""
        self._runtime()

    def run(self, code: str, stdin: str = "") -> ExecutionResult:
        if not self._slots.acquire(blocking=False):
            raise DependencyUnavailable("all code runners are busy; try again shortly",
                                        retry_after=max(1, round(self.limits.timeout_s)))
        try:
            return self._run(code, stdin)
        finally:
            self._slots.release()

    def _runtime(self) -> tuple[wasmtime.Engine, wasmtime.InstancePre]:
        with self._load_lock:
            if self._loaded is None:
                import wasmtime

                engine = runtime.engine()
                module = runtime.load_module(engine, self._cache_dir)
                linker = wasmtime.Linker(engine)
                linker.define_wasi()
                self._loaded = (engine, linker.instantiate_pre(module))
            return self._loaded

    def _run(self, code: str, stdin: str) -> ExecutionResult:
        engine, pre = self._runtime()
        workdir = Path(tempfile.mkdtemp(prefix="code-run-", dir=self._work_dir))
        try:
            return self._run_in(workdir, engine, pre, code, stdin)
        finally:
            _remove_tree(workdir)

    def _run_in(self, workdir: Path, engine: wasmtime.Engine, pre: wasmtime.InstancePre,
                code: str, stdin: str) -> ExecutionResult:
        scratch = workdir / "scratch"
        scratch.mkdir(mode=0o700)
        stdin_path = workdir / "stdin"
        stdin_path.write_text(stdin, encoding="utf-8")
        pipes = [os.pipe() for _ in range(3)]
        limits = self.limits
        job = child.Job(code=code, stdin_path=str(stdin_path), scratch_dir=str(scratch),
                        timeout_s=limits.timeout_s, memory_bytes=limits.memory_bytes,
                        output_bytes=limits.output_bytes, scratch_bytes=limits.scratch_bytes,
                        stdout_fd=pipes[0][1], stderr_fd=pipes[1][1], status_fd=pipes[2][1])
        started = time.monotonic()
        try:
            pid = os.fork()
        except OSError:
            for fd in (fd for pair in pipes for fd in pair):
                os.close(fd)
            raise
        if pid == 0:  # pragma: no cover - the child never returns from here
            child.run_and_exit(job, engine, pre)
        for _, write_end in pipes:
            os.close(write_end)
        watch = _Watch(pid, scratch, limits, started)
        try:
            streams = watch.collect([read_end for read_end, _ in pipes])
        finally:
            for read_end, _ in pipes:
                os.close(read_end)
            wait_status = watch.reap()
        duration_ms = round((time.monotonic() - started) * 1000)
        return _result(streams, watch, wait_status, limits, duration_ms)


class _Watch:
    """The parent's side of one run: read the pipes, enforce the deadline and the scratch cap."""

    def __init__(self, pid: int, scratch: Path, limits: Limits, started: float) -> None:
        self.pid, self.scratch, self.limits = pid, scratch, limits
        self.deadline = started + limits.timeout_s + KILL_GRACE_S
        self.killed_for: str | None = None
        self._next_poll = 0.0

    def collect(self, fds: list[int]) -> _Streams:
        streams = _Streams(bytearray(), bytearray(), bytearray())
        buffers = dict(zip(fds, (streams.stdout, streams.stderr, streams.status), strict=True))
        caps = dict(zip(fds, (self.limits.output_bytes + 1,) * 2 + (4096,), strict=True))
        poller = select.poll()  # not select(): a busy server's descriptors may pass FD_SETSIZE
        for fd in fds:
            poller.register(fd, select.POLLIN)
        open_fds = set(fds)
        while open_fds:
            now = time.monotonic()
            if now >= self.deadline:
                self._kill("timeout")
                break
            if now >= self._next_poll:
                self._check_scratch(now)
                if self.killed_for:
                    break
            wait_ms = max(1, round(min(SCRATCH_POLL_S, self.deadline - now) * 1000))
            for fd, _ in poller.poll(wait_ms):
                data = os.read(fd, 65536)
                if not data:
                    open_fds.discard(fd)
                    poller.unregister(fd)
                elif len(buffers[fd]) < caps[fd]:
                    buffers[fd] += data[: caps[fd] - len(buffers[fd])]
        return streams

    def _check_scratch(self, now: float) -> None:
        self._next_poll = now + SCRATCH_POLL_S
        if _tree_size(self.scratch) > self.limits.scratch_bytes:
            self._kill("scratch")

    def _kill(self, reason: str) -> None:
        self.killed_for = reason
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def reap(self) -> int:
        """The child's wait status; a child that closed its pipes but lingers is killed."""
        linger_until = time.monotonic() + 0.5
        while self.killed_for is None and time.monotonic() < linger_until:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                return status
            time.sleep(0.002)
        if self.killed_for is None:
            self._kill("timeout")
        return os.waitpid(self.pid, 0)[1]


def _result(streams: _Streams, watch: _Watch, wait_status: int, limits: Limits,
            duration_ms: int) -> ExecutionResult:
    status = _status(streams.status)
    stdout, out_cut = _decoded(streams.stdout, limits.output_bytes)
    stderr, err_cut = _decoded(streams.stderr, limits.output_bytes)
    exit_code = int(status.get("exit_code", 1)) if status else _signal_exit(wait_status)
    timed_out = bool(status.get("timed_out")) if status else False
    notes: list[str] = []
    if watch.killed_for == "timeout" or timed_out:
        timed_out, exit_code = True, 137
        notes.append(f"time limit exceeded: stopped after {limits.timeout_s:g} s")
    elif watch.killed_for == "scratch":
        exit_code = 137
        notes.append(f"scratch space limit exceeded: more than {limits.scratch_bytes} bytes written")
    elif status.get("trap"):
        notes.append(f"the interpreter was stopped: {status['trap']}")
    elif not status:
        notes.append("the sandbox process ended unexpectedly")
    if notes:
        stderr += ("\n" if stderr and not stderr.endswith("\n") else "") + "".join(f"[sandbox] {n}\n" for n in notes)
    return ExecutionResult(stdout=stdout, stderr=stderr, exit_code=exit_code, duration_ms=duration_ms,
                           timed_out=timed_out, truncated=out_cut or err_cut)


def _status(raw: bytearray) -> dict[str, Any]:
    try:
        value = json.loads(bytes(raw)) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _decoded(raw: bytearray, cap: int) -> tuple[str, bool]:
    return bytes(raw[:cap]).decode("utf-8", errors="replace"), len(raw) > cap


def _signal_exit(wait_status: int) -> int:
    if os.WIFSIGNALED(wait_status):
        return 128 + os.WTERMSIG(wait_status)
    return os.WEXITSTATUS(wait_status) if os.WIFEXITED(wait_status) else 1


def _tree_size(root: Path) -> int:
    """Bytes the tree occupies; every entry counts at least a block, so a flood of empty files
    reaches the cap too (``RLIMIT_FSIZE`` already caps each file on its own)."""
    total = 0
    stack = [str(root)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    total += 4096
                else:
                    total += entry.stat(follow_symlinks=False).st_blocks * 512 or 4096
            except OSError:
                continue
    return total


def _remove_tree(path: Path) -> None:
    def make_writable(func: Any, target: str, _exc: Any) -> None:
        os.chmod(os.path.dirname(target), 0o700)
        func(target)

    shutil.rmtree(path, onerror=make_writable)
