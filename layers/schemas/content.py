"""Former home of the content models, which now live in one schema module per router.

Only the shared post parts are still importable from here; new code imports them from
``layers.schemas.post_parts``. This module goes once nothing imports it.
"""
from __future__ import annotations

from layers.schemas.post_parts import AuthorOut, PostRef, PostSummary, SeriesRef, TagOut

__all__ = ["AuthorOut", "PostRef", "PostSummary", "SeriesRef", "TagOut"]
