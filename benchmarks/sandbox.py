"""Code execution costs: ``python -m benchmarks.sandbox [runs]``.

* per-run overhead: ``print(1)`` through the real sandbox (fork, fresh instance, interpreter
  start-up, teardown), p50/p95;
* a CPU-bound snippet timed inside the guest and inside native CPython (this interpreter),
  so the ratio is the interpreter's speed under WebAssembly, start-up excluded;
* the code function's cold start: a fresh interpreter importing ``app`` with ``ROUTER=code``,
  loading the compiled module and answering a first ``print(1)``.

Needs no database: only the sandbox is exercised.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CPU_BOUND = """
import time
t = time.perf_counter()
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
fib(24)
sum(i * i for i in range(300_000))
sorted(str(i) for i in range(100_000))
print(round((time.perf_counter() - t) * 1000, 1))
"""
COLD_PROBE = """
import json, time
t0 = time.perf_counter()
import app
t1 = time.perf_counter()
from layers import bootstrap
box = bootstrap.provide("sandbox")
box.warm()
t2 = time.perf_counter()
result = box.run("print(1)")
t3 = time.perf_counter()
assert result.stdout == "1\\n", result
print(json.dumps({"import": t1 - t0, "load_module": t2 - t1, "first_run": t3 - t2, "total": t3 - t0}))
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def overhead(runs: int) -> list[float]:
    from layers.adapters.sandbox import Limits, WasmSandbox
    from layers.adapters.sandbox.runtime import default_cache_dir

    box = WasmSandbox(Limits(timeout_s=10), default_cache_dir())
    box.warm()
    box.run("print(1)")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        box.run("print(1)")
        times.append((time.perf_counter() - started) * 1000)
    return times


def cpu_ratio(repeats: int = 5) -> tuple[float, float]:
    from layers.adapters.sandbox import Limits, WasmSandbox
    from layers.adapters.sandbox.runtime import default_cache_dir

    box = WasmSandbox(Limits(timeout_s=60), default_cache_dir())
    guest = statistics.median(float(box.run(CPU_BOUND).stdout) for _ in range(repeats))
    native = statistics.median(
        float(subprocess.run([sys.executable, "-c", CPU_BOUND], capture_output=True, text=True, check=True).stdout)
        for _ in range(repeats))
    return guest, native


def cold_start(repeats: int = 5) -> dict[str, float]:
    samples = []
    with tempfile.TemporaryDirectory() as cache:
        # A cache holding the compiled module, as the package ships it: compiled once, up front.
        env = {**os.environ, "ROUTER": "code", "JWT_SECRET": "x" * 40, "CODE_CACHE_DIR": cache}
        subprocess.run([sys.executable, "-c", COLD_PROBE], cwd=ROOT, env=env, check=True, capture_output=True)
        for _ in range(repeats):
            out = subprocess.run([sys.executable, "-c", COLD_PROBE], cwd=ROOT, env=env, check=True,
                                 capture_output=True, text=True).stdout
            samples.append(json.loads(out))
    return {key: statistics.median(s[key] for s in samples) * 1000 for key in samples[0]}


def main(argv: list[str]) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("JWT_SECRET", "x" * 40)
    runs = int(argv[0]) if argv else 100
    times = overhead(runs)
    print(f"sandbox print(1), {runs} runs: p50 {percentile(times, 0.5):.1f} ms, p95 {percentile(times, 0.95):.1f} ms")
    guest, native = cpu_ratio()
    print(f"CPU-bound snippet (median of 5): sandbox {guest:.0f} ms, native CPython {native:.0f} ms, "
          f"{guest / native:.1f}x")
    cold = cold_start()
    print("code function cold start (median of 5, compiled module cached): "
          + ", ".join(f"{k} {v:.0f} ms" for k, v in cold.items()))


if __name__ == "__main__":
    main(sys.argv[1:])
