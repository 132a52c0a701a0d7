"""The frontend's TypeScript types are generated from the OpenAPI document and kept current.

``clients/typescript/src/schema.d.ts`` must be exactly what ``openapi-typescript`` generates
from the document the API serves (``make types`` regenerates it), and the typed
``openapi-fetch`` example must pass ``tsc --noEmit`` against it.
"""
from __future__ import annotations

import subprocess

import pytest


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
