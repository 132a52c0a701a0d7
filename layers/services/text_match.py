"""Substring matching for admin search boxes (``ILIKE``, served by the trigram indexes)."""
from __future__ import annotations


def contains_pattern(term: str) -> str:
    """An ``ILIKE`` pattern matching ``term`` anywhere, with its own ``%``, ``_`` and ``\\`` literal."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
