"""The ministack AWS emulator in its own virtualenv, and the AWS CLI pointed at it.

ministack runs Lambda functions without Docker, as worker processes of its own interpreter (so
its virtualenv is made with this one, Python 3.13, the functions' runtime), puts each function's
layers' ``python/`` directories on their path, and copies its own environment into them: it is
started with a clean environment so that a setting the template fails to give a function is
missing there too, as on AWS.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.local.services import Service

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".local" / "ministack-venv"
REQUIREMENTS = Path(__file__).with_name("emulator-requirements.txt")
REGION = "us-east-1"
# A 12-digit access key id is the account id to ministack; the secret is not checked.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "000000000000", "AWS_SECRET_ACCESS_KEY": "emulator"}


def ensure_venv() -> Path:
    """Create or update the emulator's virtualenv when its requirements or interpreter changed."""
    key = REQUIREMENTS.read_bytes() + sys.version.encode()
    stamp = VENV / f".installed-{hashlib.sha256(key).hexdigest()[:12]}"
    if not stamp.exists():
        if not _runs_this_python(VENV / "bin" / "python"):
            shutil.rmtree(VENV, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", "-r", str(REQUIREMENTS)], check=True)
        for old in VENV.glob(".installed-*"):
            old.unlink()
        stamp.touch()
    return VENV


def _runs_this_python(python: Path) -> bool:
    if not python.exists():
        return False
    found = subprocess.run([str(python), "-c", "import sys; print(sys.version)"], capture_output=True, text=True)
    return found.stdout.strip() == sys.version


@dataclass
class Emulator(Service):
    """ministack on 127.0.0.1:``port``; its state lives in memory and dies with it."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._clear_workers()
        (self.data_dir / "tmp").mkdir(exist_ok=True)
        env = {"PATH": f"{VENV / 'bin'}:/usr/bin:/bin", "HOME": str(self.data_dir),
               "TMPDIR": str(self.data_dir / "tmp"), "GATEWAY_PORT": str(self.port),
               "BIND_HOST": "127.0.0.1", "MINISTACK_REGION": REGION, "LAMBDA_EXECUTOR": "local",
               "PERSIST_STATE": "0", "LOG_LEVEL": "WARNING", "LANG": "C.UTF-8"}
        self.proc = subprocess.Popen([str(VENV / "bin" / "ministack")], cwd=self.data_dir, env=env,
                                     stdout=self._log(), stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_listening(60)
        urllib.request.urlopen(f"{self.url}/_ministack/health", timeout=10).close()

    def stop(self) -> None:
        super().stop()
        self._clear_workers()

    def _clear_workers(self) -> None:
        # ministack unpacks each function worker's code and layers under its TMPDIR and leaves
        # them there (about 200 MB a worker with the embedding layer, gigabytes a smoke run).
        shutil.rmtree(self.data_dir / "tmp", ignore_errors=True)


@dataclass(frozen=True)
class AwsCli:
    """``aws ...`` from the emulator's virtualenv, against ``endpoint``, with no user config.

    The endpoint is given as ``AWS_ENDPOINT_URL``, not ``--endpoint-url``: ``cloudformation
    package`` uploads through its own S3 client, which only the environment variable reaches.
    """

    endpoint: str
    cwd: Path = ROOT

    def env(self) -> dict[str, str]:
        return {"PATH": f"{VENV / 'bin'}:/usr/bin:/bin", "HOME": str(self.cwd), "AWS_DEFAULT_REGION": REGION,
                "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                "AWS_PAGER": "", "AWS_ENDPOINT_URL": self.endpoint, **CREDENTIALS}

    def __call__(self, *args: str) -> Any:
        command = [str(VENV / "bin" / "aws"), "--output", "json", *args]
        result = subprocess.run(command, cwd=self.cwd, env=self.env(), capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"aws {' '.join(args[:2])} failed ({result.returncode}): "
                               f"{result.stderr.strip()[-3000:]}")
        out = result.stdout.strip()
        if not out:
            return None
        try:
            return json.loads(out)
        except ValueError:
            return out
