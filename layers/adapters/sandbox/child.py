"""What the forked child does: become a bare process, run one guest, report, exit.

It runs between ``os.fork()`` and ``os._exit()`` and never returns to the caller's code: no
``atexit`` handler, no pooled connection's finaliser and no buffered log of the parent runs here.
The guest cannot see any of the parent's state anyway (WASI gives it only what the store is
configured with), but the child drops it too: it closes every descriptor it does not need, empties
its environment, dies with its parent and caps its own CPU time and file sizes, so a guest that
found a way out of WebAssembly would still find little.
"""
from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import wasmtime

PR_SET_PDEATHSIG = 1
GUEST_ARGV0 = "python"
MAX_OPEN_FILES = 256


@dataclass(frozen=True)
class Job:
    code: str
    stdin_path: str
    scratch_dir: str
    timeout_s: float
    memory_bytes: int
    output_bytes: int
    scratch_bytes: int
    stdout_fd: int
    stderr_fd: int
    status_fd: int


def run_and_exit(job: Job, engine: wasmtime.Engine, pre: wasmtime.InstancePre) -> None:
    status: dict[str, object] = {"exit_code": 70, "timed_out": False, "trap": None}
    try:
        _isolate(job)
        status = _run(job, engine, pre)
    except BaseException as exc:  # noqa: BLE001 - report anything, never return to the caller
        status["trap"] = f"sandbox error: {type(exc).__name__}"
    finally:
        try:
            os.write(job.status_fd, json.dumps(status).encode())
        finally:
            os._exit(0)


def _isolate(job: Job) -> None:
    _drop_descriptors({job.stdout_fd, job.stderr_fd, job.status_fd})
    os.environ.clear()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    _die_with_parent()
    cpu = int(job.timeout_s) + 2  # backstop only: the parent kills at the deadline
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _drop_descriptors(keep: set[int]) -> None:
    """Close every inherited socket and pipe: database, Redis, the Lambda runtime API, other runs.

    Regular files and memfds stay open: wasmtime maps the compiled module's memory images
    from them when it instantiates.
    """
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    _close(devnull)
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd in keep or fd < 3:
            continue
        try:
            mode = os.fstat(fd).st_mode
        except OSError:
            continue
        if stat.S_ISSOCK(mode) or stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
            _close(fd)


def _cap_files(limit: int) -> None:
    # Set after instantiation: wasmtime sizes memfds while it instantiates, which the limit
    # would break. From here on, no file the guest writes can grow past the scratch cap, and
    # it cannot hold more than a few hundred descriptors open.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    resource.setrlimit(resource.RLIMIT_NOFILE, (MAX_OPEN_FILES, MAX_OPEN_FILES))


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(0)


def _run(job: Job, engine: wasmtime.Engine, pre: wasmtime.InstancePre) -> dict[str, object]:
    import wasmtime

    store = wasmtime.Store(engine)
    store.set_limits(memory_size=job.memory_bytes, instances=4, tables=8, memories=2)
    store.set_epoch_deadline(1)
    store.set_wasi(_wasi_config(job))
    timer = threading.Timer(job.timeout_s, engine.increment_epoch)
    timer.daemon = True
    timer.start()
    try:
        instance = pre.instantiate(store)
        _cap_files(job.scratch_bytes)
        start = instance.exports(store)["_start"]
        assert isinstance(start, wasmtime.Func)
        start(store)
        return {"exit_code": 0, "timed_out": False, "trap": None}
    except wasmtime.ExitTrap as exc:
        return {"exit_code": exc.code, "timed_out": False, "trap": None}
    except wasmtime.Trap as exc:
        if exc.trap_code == wasmtime.TrapCode.INTERRUPT:
            return {"exit_code": 137, "timed_out": True, "trap": None}
        return {"exit_code": 134, "timed_out": False, "trap": _first_line(exc.message)}
    except wasmtime.WasmtimeError as exc:
        return {"exit_code": 134, "timed_out": False, "trap": _first_line(str(exc))}


def _wasi_config(job: Job) -> wasmtime.WasiConfig:
    import wasmtime

    wasi = wasmtime.WasiConfig()
    # -I: ignore PYTHON* variables and the user site (there are none: the guest has no
    # environment); -B: write no bytecode into the scratch directory.
    wasi.argv = [GUEST_ARGV0, "-I", "-B", "-c", job.code]
    wasi.stdin_file = job.stdin_path
    wasi.stdout_custom = _capped_writer(job.stdout_fd, job.output_bytes)
    wasi.stderr_custom = _capped_writer(job.stderr_fd, job.output_bytes)
    # The scratch directory is the guest's /tmp and its working directory; nothing else of
    # the host is visible (the standard library lives inside the module).
    wasi.preopen_dir(job.scratch_dir, "/tmp")
    wasi.preopen_dir(job.scratch_dir, ".")
    return wasi


def _capped_writer(fd: int, cap: int) -> Callable[[bytes], int]:
    """A WASI output stream that forwards the first ``cap + 1`` bytes and swallows the rest.

    One byte past the cap tells the parent the output was truncated; swallowing (rather than
    failing the write) lets a chatty program run on to its end.
    """
    left = [cap + 1]

    def write(data: bytes) -> int:
        if left[0] > 0:
            chunk = data[: left[0]]
            left[0] -= len(chunk)
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view):]
        return len(data)

    return write


def _first_line(message: str) -> str:
    return (message.strip().splitlines() or ["trap"])[0][:300]
