"""code router: run a user's Python in a WebAssembly sandbox.

Deployed as its own function, with reserved concurrency and a role that only lets it read its
secrets and write logs: the sandbox (``layers.adapters.sandbox``) holds untrusted code in a
fresh WebAssembly instance per run, and the function around it holds nothing worth taking.
"""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from layers.core.identity import CurrentUser
from layers.core.ports import CodeSandbox
from layers.http.routing import Router
from layers.schemas.code import ExecuteIn, ExecuteOut

router = Router("code")


@router.post("/api/code/execute", auth="user", body=ExecuteIn, response=ExecuteOut, rate_group="code",
             errors=(503,))
def execute(user: CurrentUser, body: ExecuteIn, sandbox: CodeSandbox) -> dict[str, Any]:
    """Run Python 3.12 (standard library only) with the body's ``stdin``.

    No network, no host files, no processes or threads; time, memory, output and scratch space
    are capped (output past the cap is cut and ``truncated`` is true). A program stopped at the
    time limit answers ``timed_out: true``. 503 with ``Retry-After`` when every runner is busy.
    """
    return asdict(sandbox.run(body.code, body.stdin))
