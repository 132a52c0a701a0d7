"""Cold-start import cost per router function: ``python -m benchmarks.cold_start``.

Each router is imported the way its Lambda function imports it (``ROUTER=<name>``, a fresh
interpreter, only ``app.py``), five times; the table shows the median and which heavy packages
the import pulled in (none should: they load on first use).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("boto3", "psycopg", "redis", "stripe", "onnxruntime")
RUNS = 5
PROBE = (
    "import sys, time; t = time.perf_counter(); import app; "
    f"print(round((time.perf_counter() - t) * 1000, 1), [m for m in {HEAVY!r} if m in sys.modules])"
)


def measure(router: str) -> tuple[float, str]:
    times, heavy = [], ""
    for _ in range(RUNS):
        env = {**os.environ, "ROUTER": router, "JWT_SECRET": "x" * 40}
        out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                             check=True).stdout.split(" ", 1)
        times.append(float(out[0]))
        heavy = out[1].strip()
    return statistics.median(times), heavy


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from functions import router_names

    print(f"{'router':<22} {'import app (ms, median of 5)':>30}  heavy modules loaded")
    for name in router_names():
        ms, heavy = measure(name)
        print(f"{name:<22} {ms:>30.1f}  {heavy}")


if __name__ == "__main__":
    main()
