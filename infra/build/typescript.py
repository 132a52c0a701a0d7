"""``make types``: TypeScript types for the frontend, generated from the API's OpenAPI document.

    python -m infra.build.typescript [--check]

The document is ``layers.http.openapi.document()`` (what ``/api/openapi.json`` serves), written
to a temporary file and turned into ``clients/typescript/src/schema.d.ts`` by
``openapi-typescript`` (pinned in ``clients/typescript/package-lock.json``, with ``typescript@5``:
version 7 breaks the generator). ``--check`` generates into a temporary file and fails when the
committed types differ: the drift check ``make test`` runs. ``make test`` also type-checks the
client and runs its example (``src/example.ts``) with node against the test server.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "clients" / "typescript"
SCHEMA = CLIENT / "src" / "schema.d.ts"
GENERATOR = CLIENT / "node_modules" / ".bin" / "openapi-typescript"
TSC = CLIENT / "node_modules" / ".bin" / "tsc"


def install() -> None:
    """``npm ci`` when the pinned packages are not installed yet."""
    lock = CLIENT / "node_modules" / ".package-lock.json"
    if not lock.exists() or lock.stat().st_mtime < (CLIENT / "package-lock.json").stat().st_mtime:
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=CLIENT, check=True)


def document() -> dict[str, object]:
    from layers.http.openapi import document as build_document

    return build_document()


def generate(target: Path) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".json") as spec:
        json.dump(document(), spec, indent=2, sort_keys=True)
        spec.flush()
        subprocess.run([str(GENERATOR), spec.name, "--output", str(target)], cwd=CLIENT, check=True,
                       capture_output=True, text=True)


def drift() -> str | None:
    """None when the committed types are what the current document generates, else a hint."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "schema.d.ts"
        generate(fresh)
        if SCHEMA.exists() and fresh.read_text() == SCHEMA.read_text():
            return None
    return f"{SCHEMA.relative_to(ROOT)} is not what the current OpenAPI document generates: run `make types`"


def typecheck() -> None:
    subprocess.run([str(TSC), "--noEmit", "-p", str(CLIENT)], cwd=CLIENT, check=True)


def run_example(env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Compile the client to ``dist/`` and run ``src/example.ts`` with node (``npm run example``)."""
    subprocess.run([str(TSC), "-p", str(CLIENT), "--noEmit", "false", "--outDir", str(CLIENT / "dist")],
                   cwd=CLIENT, check=True, capture_output=True, text=True)
    return subprocess.run(["node", str(CLIENT / "dist" / "example.js")], cwd=CLIENT, capture_output=True,
                          text=True, timeout=timeout, env={"PATH": os.environ.get("PATH", ""), **env})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when the committed types are stale")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    install()
    if args.check:
        problem = drift()
        if problem:
            sys.exit(problem)
    else:
        SCHEMA.parent.mkdir(parents=True, exist_ok=True)
        generate(SCHEMA)
    typecheck()
    print(f"{SCHEMA.relative_to(ROOT)}: {'up to date' if args.check else 'generated'}; tsc --noEmit passed")


if __name__ == "__main__":
    main()
