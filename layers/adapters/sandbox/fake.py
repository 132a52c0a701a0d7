"""An in-process ``CodeSandbox`` for tests of code that calls the port, not of the sandbox.

It never executes anything: it records the calls and answers with a fixed result, or with
``result_for(code, stdin)`` when given.
"""
from __future__ import annotations

from collections.abc import Callable

from layers.core.ports import ExecutionResult

OK = ExecutionResult(stdout="", stderr="", exit_code=0, duration_ms=0, timed_out=False, truncated=False)


class FakeSandbox:
    def __init__(self, result_for: Callable[[str, str], ExecutionResult] | None = None) -> None:
        self.calls: list[tuple[str, str]] = []
        self._result_for = result_for or (lambda _code, _stdin: OK)

    def run(self, code: str, stdin: str = "") -> ExecutionResult:
        self.calls.append((code, stdin))
        return self._result_for(code, stdin)
