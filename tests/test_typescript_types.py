"""The frontend's TypeScript types are generated from the OpenAPI document and kept current.

``clients/typescript/src/schema.d.ts`` must be exactly what ``openapi-typescript`` generates
from the document the API serves (``make types`` regenerates it), the typed ``openapi-fetch``
client and example must pass ``tsc --noEmit`` against it, and the example must run with node
against the local server: log in, list posts, read one, bookmark it.
"""
from __future__ import annotations

import subprocess

import pytest

from tests.support.content import content  # a fixture


@pytest.fixture(scope="module")
def client_packages() -> None:
    from infra.build import typescript

    typescript.install()


def test_committed_types_are_what_the_current_document_generates(client_packages: None) -> None:
    from infra.build import typescript

    problem = typescript.drift()
    assert problem is None, problem


def test_typed_client_example_type_checks(client_packages: None) -> None:
    from infra.build import typescript

    result = subprocess.run([str(typescript.TSC), "--noEmit", "-p", str(typescript.CLIENT)],
                            cwd=typescript.CLIENT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]


def test_the_example_runs_against_the_server(client_packages: None, live_server: str, content, api) -> None:
    from infra.build import typescript

    post = content.post("Indexes, explained", slug="indexes-explained")
    reader = content.users.create("reader@example.com", name="Reader", password="a reader's password")
    run = typescript.run_example({"API_BASE_URL": live_server, "API_EMAIL": reader.email,
                                  "API_PASSWORD": "a reader's password"})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "signed in as reader@example.com" in run.stdout
    assert 'read "Indexes, explained"' in run.stdout and f"bookmarked post {post['id']}" in run.stdout
    assert api.get(f"/api/bookmarks/{post['id']}", token=reader.token).json == {"bookmarked": True}


def test_the_example_refreshes_an_expired_session_once(client_packages: None, live_server: str, content) -> None:
    from infra.build import typescript

    content.post("Indexes, explained", slug="indexes-explained")
    reader = content.users.create("reader@example.com", name="Reader")
    run = typescript.run_example({"API_BASE_URL": live_server, "API_ACCESS_TOKEN": "expired.or.forged",
                                  "API_REFRESH_TOKEN": reader.refresh_token})
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[:2] == ["refreshed: a new token pair", "signed in as reader@example.com"]
