"""Handler docstrings as the OpenAPI document's words.

A handler's docstring is its operation's description (Markdown), and its first sentence the
summary. Numbers and names the code decides (a level formula, a limit, an enum) are not written
into the docstring by hand, where they would drift: ``@described(...)`` fills ``{name}``
placeholders from the very constants and functions the code uses.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
_PLACEHOLDER = re.compile(r"{(\w+)}")


def described(**values: object) -> Callable[[F], F]:
    """Fill the docstring's ``{name}`` placeholders with ``values`` (apply below the route decorator).

    Every value must be used, so a placeholder renamed or removed fails at import time instead of
    leaving a stale word; braces naming no value (``{}``, ``{user_id}`` in a key pattern) stay as
    written.
    """
    def decorate(handler: F) -> F:
        doc = handler.__doc__ or ""
        used: set[str] = set()

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values:  # literal braces: a key pattern, a JSON shape
                return match.group(0)
            used.add(name)
            return str(values[name])

        handler.__doc__ = _PLACEHOLDER.sub(fill, doc)
        if unused := set(values) - used:
            raise TypeError(f"{handler.__name__}: its docstring has no placeholder for {sorted(unused)}")
        return handler

    return decorate


def first_sentence(doc: str) -> str:
    """The summary: the first sentence of the first paragraph, as plain text (no Markdown)."""
    paragraph = " ".join(doc.strip().split("\n\n", 1)[0].split())
    depth, in_code, end = 0, False, len(paragraph)
    for i, char in enumerate(paragraph):
        if char == "`":
            in_code = not in_code
        elif not in_code and char in "([":
            depth += 1
        elif not in_code and char in ")]":
            depth = max(0, depth - 1)
        elif (not in_code and depth == 0 and char in ".!?;" and (i + 1 == len(paragraph) or paragraph[i + 1] == " ")
              and not paragraph[:i].endswith(("e.g", "i.e", "etc", "vs"))):
            end = i
            break
    # Whole, however long: the description below it repeats it, but a cut summary misleads.
    return paragraph[:end].replace("`", "").strip()


def setting(name: str, unit: str = "") -> str:
    """A setting's default and the variable that changes it, e.g. ``5 s (`CODE_TIMEOUT_SECONDS`)``."""
    from layers.core.settings import Settings

    field = Settings.model_fields[name]
    default = field.default
    shown = f"{default:g}" if isinstance(default, float) else f"{default:,}" if isinstance(default, int) else default
    return f"{shown}{unit} (`{field.alias}`)"
