"""Escape attempts against the real sandbox (CPython for WASI under wasmtime, a child per run).

Every attack must be contained, the answer must say what happened, and the next run must work.
Network attempts target only a listener this test opens on 127.0.0.1.
"""
from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from layers.adapters.sandbox import Limits, WasmSandbox
from layers.adapters.sandbox.runtime import default_cache_dir
from layers.core.ports import ExecutionResult

TIMEOUT_S = 1.5
SCRATCH_BYTES = 1 << 20
OUTPUT_BYTES = 4096
MARGIN_S = 3.0  # a correctness bound, not a benchmark: the answer must not wait on the guest


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("code-runs")


@pytest.fixture(scope="module")
def sandbox(work_dir: Path) -> WasmSandbox:
    limits = Limits(timeout_s=TIMEOUT_S, memory_bytes=64 << 20, output_bytes=OUTPUT_BYTES,
                    scratch_bytes=SCRATCH_BYTES, concurrency=2)
    box = WasmSandbox(limits, default_cache_dir(), work_dir)
    box.warm()  # compiled once per machine, then memory-mapped
    return box


@pytest.fixture
def run(sandbox: WasmSandbox, work_dir: Path) -> Iterator[object]:
    def go(code: str, stdin: str = "") -> ExecutionResult:
        return sandbox.run(code, stdin)

    yield go
    assert list(work_dir.iterdir()) == [], "a run left files behind"
    after = sandbox.run("print(6 * 7)")
    assert (after.stdout, after.exit_code, after.timed_out) == ("42\n", 0, False), after


def test_a_plain_run(run):
    result = run("import sys\nprint(sys.version_info[:2], sys.stdin.read().upper())\nsys.exit(3)", "hi")
    assert result.stdout == "(3, 12) HI\n"
    assert result.exit_code == 3 and not result.timed_out and not result.truncated


def test_no_connection_reaches_a_loopback_listener(run):
    accepted: list[object] = []
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.1)
        port = server.getsockname()[1]

        def accept() -> None:
            deadline = time.monotonic() + TIMEOUT_S + 1
            while time.monotonic() < deadline:
                try:
                    accepted.append(server.accept())
                except TimeoutError:
                    continue

        watcher = threading.Thread(target=accept)
        watcher.start()
        result = run(f"""
import socket
for attempt in ("tcp", "create_connection", "udp"):
    try:
        if attempt == "tcp":
            s = socket.socket(); s.connect(("127.0.0.1", {port}))
        elif attempt == "create_connection":
            socket.create_connection(("127.0.0.1", {port}), timeout=1)
        else:
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", {port}))
        print(attempt, "CONNECTED")
    except Exception as exc:  # OSError, or the call is missing from the build
        print(attempt, "refused", type(exc).__name__)
""")
        watcher.join()
    assert accepted == []
    assert "CONNECTED" not in result.stdout
    assert result.stdout.count("refused") == 3, result


def test_host_files_are_not_there(run, work_dir):
    own_file = Path(__file__).resolve()
    result = run(f"""
import os
for path in ("/etc/passwd", {str(own_file)!r}, "/proc/self/environ", "/proc/1/environ",
             "/tmp/../etc/passwd", "../../etc/passwd", "/tmp/../stdin", {str(work_dir)!r},
             "/usr/local/lib/python3.12/../../../../etc/passwd"):
    try:
        with open(path) as f:
            print("READ", path, f.read(40))
    except OSError as exc:
        print("denied", type(exc).__name__)
for path in ("/etc", "/proc", "/home"):
    try:
        print("LISTED", path, os.listdir(path))
    except OSError:
        print("denied", "listing")
print("root is the scratch directory:", os.listdir("/"))
""")
    assert "READ" not in result.stdout and "LISTED" not in result.stdout, result
    assert result.stdout.count("denied") == 12
    assert "root is the scratch directory: []" in result.stdout


def test_no_environment_is_visible(run, monkeypatch):
    monkeypatch.setenv("SANDBOX_CANARY", "must-not-leak")
    result = run("import os\nprint(dict(os.environ))\nprint(os.getcwd())")
    assert result.stdout.splitlines()[0] == "{}"
    assert "must-not-leak" not in result.stdout + result.stderr
    assert os.environ["JWT_SECRET"] not in result.stdout + result.stderr


def test_writes_outside_the_scratch_directory_fail(run, work_dir):
    result = run("""
import os
open("/tmp/inside.txt", "w").write("ok")
open("relative.txt", "w").write("ok")
print(sorted(os.listdir("/tmp")))
open("/rooted.txt", "w").write("ok")  # the guest's / is its scratch directory too
print(sorted(os.listdir("/tmp")))
for path in ("/etc/escape.txt", "/tmp/../escape.txt", "../escape.txt", "/tmp/../../escape.txt"):
    try:
        open(path, "w").write("x")
        print("WROTE", path)
    except OSError as exc:
        print("denied", type(exc).__name__)
try:
    os.symlink("/etc/passwd", "/tmp/link"); print(open("/tmp/link").read(10))
    print("FOLLOWED")
except OSError:
    print("denied", "symlink")
""")
    assert result.stdout.splitlines()[:2] == ["['inside.txt', 'relative.txt']",
                                              "['inside.txt', 'relative.txt', 'rooted.txt']"]
    assert "WROTE" not in result.stdout and "FOLLOWED" not in result.stdout, result
    assert result.stdout.count("denied") == 5
    assert not list(work_dir.parent.glob("escape.txt"))


def test_one_file_cannot_outgrow_the_scratch_cap(run):
    result = run(f"open('/tmp/big', 'wb').write(b'x' * {2 * SCRATCH_BYTES})")
    assert result.exit_code != 0 and "File too large" in result.stderr, result


def test_many_files_cannot_outgrow_the_scratch_cap(run):
    result = run("""
i = 0
while True:
    with open(f"/tmp/f{i}", "wb") as f:
        f.write(b"x" * 200_000)
    i += 1
""")
    assert result.exit_code != 0
    assert "scratch space limit exceeded" in result.stderr or "File too large" in result.stderr, result


def test_open_descriptors_are_capped(run):
    result = run("""
open("/tmp/a", "w").close()
held = []
try:
    while len(held) < 100_000:
        held.append(open("/tmp/a"))
except OSError:
    pass
print(len(held))
""")
    assert result.exit_code == 0 and int(result.stdout) < 1000, result


def test_no_processes_threads_or_ctypes(run):
    result = run("""
import os, subprocess
for name, attempt in (("fork", lambda: os.fork()), ("subprocess", lambda: subprocess.run(["id"])),
                      ("system", lambda: os.system("id")), ("exec", lambda: os.execv("/bin/sh", ["sh"]))):
    try:
        attempt(); print("RAN", name)
    except (OSError, AttributeError, RuntimeError) as exc:
        print("denied", name)
import threading
try:
    threading.Thread(target=print).start(); print("RAN thread")
except RuntimeError:
    print("denied thread")
try:
    import ctypes; print("RAN ctypes")
except ImportError:
    print("denied ctypes")
""")
    assert "RAN" not in result.stdout, result
    assert result.stdout.count("denied") == 6


def test_memory_is_capped(run):
    result = run("""
try:
    bytearray(3 * 1024 ** 3)
except (MemoryError, OverflowError) as exc:
    print("3 GB refused:", type(exc).__name__)
chunks = []
while True:
    chunks.append(bytearray(16 * 1024 ** 2))
""")
    assert result.stdout.startswith("3 GB refused")
    assert "MemoryError" in result.stderr and result.exit_code == 1, result


def test_a_busy_loop_stops_at_the_deadline(run):
    result = run("print('started', flush=True)\nwhile True:\n    pass")
    assert result.timed_out and result.exit_code == 137
    assert result.stdout == "started\n" and "time limit exceeded" in result.stderr
    assert TIMEOUT_S * 1000 <= result.duration_ms < (TIMEOUT_S + MARGIN_S) * 1000


@pytest.mark.parametrize("blocking", ["import time; time.sleep(10**6)", "import sys; sys.stdin.read(); "
                                      "import time; time.sleep(10**6)", "import select; select.select([], [], [], 10**6)"])
def test_a_blocking_call_answers_within_the_deadline(run, blocking):
    started = time.monotonic()
    result = run(blocking)
    elapsed = time.monotonic() - started
    assert result.timed_out and "time limit exceeded" in result.stderr, result
    assert elapsed < TIMEOUT_S + MARGIN_S


def test_huge_output_is_truncated(run):
    result = run("import sys\nsys.stderr.write('e' * 100_000)\nsys.stderr.flush()\n"
                 "for _ in range(1000):\n    print('x' * 100_000)  # 100 MB")
    # Contained either way: finished with the rest discarded, or stopped at the deadline on a
    # loaded machine; the answer holds exactly the cap of each stream.
    assert result.truncated, result.stderr[-300:]
    assert result.stdout == "x" * OUTPUT_BYTES
    assert result.stderr.startswith("e" * OUTPUT_BYTES) and "e" * (OUTPUT_BYTES + 1) not in result.stderr
    assert result.exit_code == 0 or result.timed_out


def test_runs_share_nothing(run):
    first = run("open('/tmp/left-behind', 'w').write('secret')\nimport builtins\nbuiltins.marker = 1")
    assert first.exit_code == 0
    second = run("import os, builtins\nprint(os.listdir('/tmp'), hasattr(builtins, 'marker'))")
    assert second.stdout == "[] False\n"
