"""Install step: Swagger UI's files for ``/api/docs`` (run by ``make install``).

``npm pack swagger-ui-dist@<pinned>`` fetches the package's tarball through npm's own client
(without installing its dependencies: the page needs only the bundle and the stylesheet); its
SHA-512 is checked against the pinned ``dist.integrity`` and the files the page loads are
extracted, with the licence, beside the virtualenv's other data. Without npm the API still serves
``/api/docs``, as a page that says the interactive reference is not installed.

    python -m infra.docs_ui            # idempotent: does nothing when the files are in place
    python -m infra.docs_ui --target some/dir
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from layers.http.docs_page import (
    LICENCE_FILES,
    SWAGGER_UI_INTEGRITY,
    SWAGGER_UI_VERSION,
    VENDORED,
    installed_dir,
)

PACKAGE = f"swagger-ui-dist@{SWAGGER_UI_VERSION}"


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def is_installed(target: Path) -> bool:
    return all((target / name).is_file() for name in VENDORED)


def fetch(target: Path) -> Path:
    """Fetch the pinned tarball with npm, verify it, extract the page's files into ``target``."""
    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError("npm")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([npm, "pack", PACKAGE, "--pack-destination", tmp, "--silent", "--no-fund",
                        "--no-audit"], check=True, cwd=tmp, stdout=subprocess.DEVNULL)
        tarball = next(Path(tmp).glob("swagger-ui-dist-*.tgz"))
        data = tarball.read_bytes()
        if integrity(data) != SWAGGER_UI_INTEGRITY:
            raise SystemExit(f"{PACKAGE}: tarball integrity {integrity(data)}, expected {SWAGGER_UI_INTEGRITY}")
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        with tarfile.open(tarball) as archive:
            for name in (*VENDORED, *LICENCE_FILES):
                member = archive.extractfile(f"package/{name}")
                if member is None:
                    raise SystemExit(f"{PACKAGE} has no {name}")
                (partial / name).write_bytes(member.read())
    shutil.rmtree(target, ignore_errors=True)
    partial.replace(target)
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--target", type=Path, default=installed_dir())
    args = parser.parse_args(argv)
    if is_installed(args.target):
        return
    try:
        print(f"fetching {PACKAGE} into {fetch(args.target)}", flush=True)
    except FileNotFoundError:
        print(f"npm not found: /api/docs will say that Swagger UI ({PACKAGE}) is not installed",
              file=sys.stderr)


if __name__ == "__main__":
    main()
