"""Install step for the browser tests: Debian's ``chromium``, which Playwright drives.

Playwright's own browser downloads are never used: the tests launch the system browser through
``executable_path``. When it is missing and this is a Debian machine where we are root, it is
installed with apt (``apt-get update`` first, since a fresh machine has no package lists).

    python -m infra.chromium          # idempotent: prints the browser's path
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

EXECUTABLE = Path("/usr/bin/chromium")
# What every launch passes: no GPU, no network of the browser's own (updates, sync, QUIC probes).
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")


class Unavailable(RuntimeError):
    """No browser, and no way to install one here."""


def ensure() -> Path:
    """The browser's path, installing Debian's package when it is missing and apt can."""
    if EXECUTABLE.is_file():
        return EXECUTABLE
    apt = shutil.which("apt-get")
    if apt is None:
        raise Unavailable(f"{EXECUTABLE} is missing and apt-get is not available to install Debian's chromium")
    if os.geteuid() != 0:
        raise Unavailable(f"{EXECUTABLE} is missing: run `sudo apt-get install -y chromium`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    quiet = {"env": env, "stdout": subprocess.DEVNULL}
    if subprocess.run([apt, "install", "-y", "--no-install-recommends", "chromium"], check=False,
                      **quiet).returncode != 0:  # type: ignore[call-overload]
        subprocess.run([apt, "update"], check=True, **quiet)  # type: ignore[call-overload]
        subprocess.run([apt, "install", "-y", "--no-install-recommends", "chromium"], check=True,
                       **quiet)  # type: ignore[call-overload]
    if not EXECUTABLE.is_file():
        raise Unavailable(f"apt installed chromium but {EXECUTABLE} is still missing")
    return EXECUTABLE


if __name__ == "__main__":
    print(ensure())
