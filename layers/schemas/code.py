"""Request and response models of the code router."""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, StringConstraints

from layers.schemas.common import StrictModel

MAX_CODE_CHARS = 50_000
MAX_STDIN_CHARS = 100_000


def _passable(value: str) -> str:
    # The code reaches the interpreter as a C string and stdin as UTF-8: a NUL would cut the
    # program short and a lone surrogate cannot be encoded, so both are refused here.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("must not contain unpaired surrogates")
    return value


SourceCode = Annotated[str, StringConstraints(min_length=1, max_length=MAX_CODE_CHARS),
                       AfterValidator(_passable)]
StdinText = Annotated[str, StringConstraints(max_length=MAX_STDIN_CHARS), AfterValidator(_passable)]


class ExecuteIn(StrictModel):
    code: SourceCode
    stdin: StdinText = ""


class ExecuteOut(BaseModel):
    stdout: str
    stderr: str
    exit_code: int
    duration_ms: int
    timed_out: bool
    truncated: bool
