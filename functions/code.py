"""code router: run a user's Python in a WebAssembly sandbox.

Deployed as its own function, with reserved concurrency and a role that only lets it read its
secrets and write logs: the sandbox (``layers.adapters.sandbox``) holds untrusted code in a
fresh WebAssembly instance per run, and the function around it holds nothing worth taking.
"""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from layers.adapters.sandbox.runtime import PYTHON_VERSION
from layers.core.identity import CurrentUser
from layers.core.ports import CodeSandbox
from layers.http.docstrings import described, setting
from layers.http.routing import Router
from layers.schemas.code import ExecuteIn, ExecuteOut

router = Router("code")


@router.post("/api/code/execute", auth="user", body=ExecuteIn, response=ExecuteOut, rate_group="code",
             errors=(503,))
@described(python=PYTHON_VERSION, timeout=setting("code_timeout_seconds", " s"),
           memory=setting("code_memory_mb", " MB"), output=setting("code_output_bytes", " bytes"),
           scratch=setting("code_scratch_bytes", " bytes"), concurrent=setting("code_max_concurrent"))
def execute(user: CurrentUser, body: ExecuteIn, sandbox: CodeSandbox) -> dict[str, Any]:
    """Run Python {python} (standard library only) with the body's ``stdin``.

    No network, no host files, no processes or threads. Each run is capped (defaults, each set by
    the variable named): wall clock {timeout}, memory {memory}, stdout and stderr {output} each
    (the rest is cut and ``truncated`` is true), scratch space {scratch}. A program stopped at the
    time limit answers ``timed_out: true``. At most {concurrent} runs at once per warm function:
    another answers 503 with ``Retry-After``.
    """
    return asdict(sandbox.run(body.code, body.stdin))
