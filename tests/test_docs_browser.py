"""``/api/docs`` in a real browser: Debian's chromium, driven by Playwright, against the local server.

The browser is the system's (``python -m infra.chromium`` installs it with apt when missing);
Playwright never downloads one. Every request the page makes goes to the test's own server on
127.0.0.1: Swagger UI's files, the document, and the calls made with *Try it out*.
"""
from __future__ import annotations

import json
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

TIMEOUT_MS = 90_000  # a loaded 2-core machine parses the 1.8 MB bundle slowly


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from infra import chromium, docs_ui

    try:
        executable = chromium.ensure()
    except chromium.Unavailable as exc:
        pytest.skip(f"browser test skipped: {exc}")
    docs_ui.main([])
    from layers.http import docs_page

    assert docs_page.available(), "Swagger UI's files are missing: run `python -m infra.docs_ui` (needs npm)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(executable), args=list(chromium.FLAGS), headless=True,
            viewport={"width": 1280, "height": 1000})
        context.set_default_timeout(TIMEOUT_MS)
        yield context
        context.close()


@pytest.fixture(scope="module")
def stage(live_server: str) -> Iterator[str]:
    """API Gateway's view of the API: the stage name (``api``) before every path, as deployed."""

    class StagePath(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            if not self.path.startswith("/api/"):
                self.send_error(404)
                return
            length = int(self.headers.get("Content-Length") or 0)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
            request = urllib.request.Request(live_server + self.path.removeprefix("/api"), method=self.command,
                                             data=self.rfile.read(length) if length else None, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=60) as upstream:
                    status, reply_headers, body = upstream.status, upstream.headers, upstream.read()
            except urllib.error.HTTPError as error:
                status, reply_headers, body = error.code, error.headers, error.read()
            self.send_response(status)
            for name, value in reply_headers.items():
                if name.lower() not in ("connection", "transfer-encoding", "content-length", "date", "server"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _forward

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), StagePath)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api"
    server.shutdown()


def _operation(page: Any, tag: str, operation_id: str) -> Any:
    block = page.locator(f"#operations-{tag}-{operation_id}")
    page.wait_for_function("""id => {  // rendered only near the viewport: scroll until it is
        const block = document.getElementById(id);
        if (!block) {
            window.scrollBy(0, 300);
            return false;
        }
        block.scrollIntoView({block: 'start'});
        return true;
    }""", arg=f"operations-{tag}-{operation_id}", polling=250)
    block.wait_for()
    if not block.locator("button.try-out__btn").is_visible():
        block.locator(".opblock-summary-control").click()
    block.locator("button.try-out__btn").click()
    return block


def _execute(block: Any) -> tuple[str, str]:
    block.locator("button.execute").click()
    status = block.locator(".live-responses-table tr.response .response-col_status").first
    status.wait_for()
    body = block.locator(".live-responses-table tr.response .response-col_description pre").first.inner_text()
    return status.inner_text().strip(), body


# Swagger UI renders only the operations near the viewport, and the schemas near the view of
# their own scrolling box: scroll both from top to bottom and gather what was shown on the way.
_SCAN = """() => {
    const seen = window.__seen || (window.__seen = {operations: new Set(), schemas: new Set(), y: -1, m: -1});
    document.querySelectorAll('.opblock').forEach(block => seen.operations.add(
        block.querySelector('.opblock-summary-method').textContent.trim() + ' ' +
        block.querySelector('.opblock-summary-path').getAttribute('data-path')));
    document.querySelectorAll('.models-virtual-item').forEach(item => seen.schemas.add(item.dataset.index));
    if (window.scrollY !== seen.y) {
        seen.y = window.scrollY;
        window.scrollBy(0, Math.floor(window.innerHeight / 2));
        return false;
    }
    const models = document.querySelector('.models-scroll');
    if (models && models.scrollTop !== seen.m) {
        seen.m = models.scrollTop;
        models.scrollBy(0, Math.floor(models.clientHeight / 2));
        return false;
    }
    return true;
}"""


@pytest.mark.parametrize("where", ["local", "stage"])
def test_the_docs_page_lists_every_operation_and_calls_the_api_signed_in(where, browser, live_server, stage,
                                                                         users, api):
    base = live_server if where == "local" else stage  # deployed: https://<id>.execute-api.../api
    account = users.create("reader@example.com", name="Reader")
    doc = api.get("/api/openapi.json").json
    operations = {f"{method.upper()} {path}" for path, methods in doc["paths"].items() for method in methods}
    problems: list[str] = []
    page = browser.new_page()
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
    page.on("request", lambda request: None if request.url.startswith((base, "data:"))
            else problems.append(f"request to another host: {request.url}"))

    page.goto(f"{base}/api/docs")
    login = _operation(page, "auth", "auth_post_auth_login")
    login.locator("textarea.body-param__text").fill(json.dumps({"email": account.email,
                                                                 "password": "correct horse battery staple"}))
    status, _ = _execute(login)
    assert status == "200"
    authorized = page.evaluate("() => window.ui.authSelectors.authorized().toJS()")
    assert "bearer" in authorized, authorized  # the login filled Authorize by itself

    status, body = _execute(_operation(page, "auth", "auth_get_auth_me"))
    assert status == "200", body
    assert json.loads(body)["email"] == account.email
    assert page.evaluate("() => window.ui.specSelectors.servers().toJS()[0].url") == base

    page.evaluate("() => window.scrollTo(0, 0)")
    page.locator(".info strong").first.wait_for()  # the description, rendered from Markdown
    page.wait_for_function(_SCAN, polling=250)
    seen = page.evaluate("() => ({operations: [...window.__seen.operations], schemas: [...window.__seen.schemas]})")
    assert set(seen["operations"]) == operations
    assert len(seen["schemas"]) == len(doc["components"]["schemas"])  # every schema, browsable
    assert problems == []
    page.close()
