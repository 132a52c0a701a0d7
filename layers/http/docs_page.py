"""The interactive API reference: Swagger UI, served by the API itself (no CDN, works offline).

The page, its script and Swagger UI's two files (``swagger-ui-bundle.js`` and ``swagger-ui.css``
from the npm package ``swagger-ui-dist``, pinned below) are all answered under ``/api/docs``. Every
URL in the page is relative, so it works wherever the API is mounted: at ``/api/docs`` locally and
behind API Gateway's ``/api`` stage path when deployed. ``swagger_init.js`` points try-it-out at the
server that served the page and fills the bearer token from a ``POST /api/auth/login`` (or
refresh) answer.

Swagger UI's files come from ``make install`` (``python -m infra.docs_ui``, which checks the
tarball's integrity) into the virtualenv; the package build puts them in ``docs_ui/`` of the
``docs`` layer (``infra/build/layers.py``), which the one function that serves the docs takes, and
no other function; deployed, they are found through ``sys.path`` (the layer's ``python/``).
"""
from __future__ import annotations

import sys
from html import escape
from pathlib import Path

from layers.core.packaged import on_sys_path

SWAGGER_UI_VERSION = "5.36.0"
# npm's ``dist.integrity`` of swagger-ui-dist@5.36.0: the tarball's SHA-512, checked on install.
SWAGGER_UI_INTEGRITY = ("sha512-Lt6/Kb0gXmLdiabLhvso4VdJP9V7qJWB0zh0gzeXUV3+CMOTzMmvpJRSXN7EAjfwixw"
                        "moi9ezDbLHiexC7lA9A==")
# The files of swagger-ui-dist the page uses (plus its licence), and their media types.
VENDORED = {"swagger-ui-bundle.js": "application/javascript; charset=utf-8",
            "swagger-ui.css": "text/css; charset=utf-8"}
LICENCE_FILES = ("LICENSE", "NOTICE")
PACKAGED_DIRNAME = "docs_ui"
_INIT_SCRIPT = "swagger-init.js"
_HERE = Path(__file__).resolve().parent
ASSETS = {**VENDORED, _INIT_SCRIPT: "application/javascript; charset=utf-8"}


def installed_dir() -> Path:
    """Where ``make install`` puts Swagger UI's files: beside the virtualenv's other data."""
    return Path(sys.prefix) / "share" / "blog-docs-ui" / f"swagger-ui-dist-{SWAGGER_UI_VERSION}"


def assets_dir() -> Path:
    """The docs layer's copy when a ``sys.path`` entry holds one (deployed), else the virtualenv's."""
    return on_sys_path(PACKAGED_DIRNAME, directory=True) or installed_dir()


def available() -> bool:
    return all((assets_dir() / name).is_file() for name in VENDORED)


def asset(name: str) -> tuple[str, str] | None:
    """``(text, content type)`` of one file the page loads, or None for any other name."""
    if name not in ASSETS:
        return None
    path = _HERE / "swagger_init.js" if name == _INIT_SCRIPT else assets_dir() / name
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8"), ASSETS[name]


def render(title: str) -> str:
    """The page. Without Swagger UI's files (``make install`` ran without npm) it says so."""
    head = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<link rel='icon' href='data:,'>")
    if not available():
        return (f"{head}</head><body><h1>{escape(title)}</h1><p>The interactive reference needs Swagger UI's "
                "files, which <code>make install</code> fetches with npm (<code>python -m infra.docs_ui</code>). "
                "The document itself is at <a href='openapi.json'>openapi.json</a>.</p></body></html>")
    version = f"?v={SWAGGER_UI_VERSION}"  # the vendored files are cached for a week
    return (f"{head}<link rel='stylesheet' href='docs/swagger-ui.css{version}'></head><body>"
            "<div id='swagger-ui'></div>"
            f"<script src='docs/swagger-ui-bundle.js{version}'></script>"
            f"<script src='docs/{_INIT_SCRIPT}'></script></body></html>")


def cache_control(name: str) -> str:
    """Swagger UI's files change only with its pinned version (in their URL); the page script may."""
    return "public, max-age=604800, immutable" if name in VENDORED else "public, max-age=300"
