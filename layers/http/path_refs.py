"""Path variables that take a slug on some methods and an id on others.

API Gateway allows one variable name per path level, so ``GET /api/posts/{post_ref}`` (a slug:
links are made of slugs) and ``PATCH /api/posts/{post_ref}`` (an id: admin writes are made of
ids) share one name. The name says neither, and the document describes, route by route, which kind
the variable takes. A client that sends the other kind gets a 404 that says so.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from layers.core.errors import NotFound

# Variable name → the object it refers to.
REFS = {"post_ref": "post", "series_ref": "series"}


def describe(name: str, takes_id: bool) -> str | None:
    """The parameter's description in the OpenAPI document (None when its name says it all)."""
    kind = REFS.get(name)
    if kind is None:
        if takes_id and name.endswith("_id"):
            return f"The {name.removesuffix('_id').replace('_', ' ')}'s integer `id`."
        return None
    if takes_id:
        return (f"The {kind}'s integer `id`. (`GET` on this path takes the {kind}'s `slug` instead: one "
                "variable name per path level.)")
    return (f"The {kind}'s `slug`, e.g. as found in a list. (Writes on this path take the {kind}'s "
            "integer `id` instead: one variable name per path level.) A number that is no slug answers "
            "404 saying so.")


@contextmanager
def slug_lookup(name: str, value: str) -> Iterator[None]:
    """Turn the service's plain 404 for an all-digit slug into one that names the likely mistake."""
    kind = REFS[name]
    try:
        yield
    except NotFound as exc:
        if value.isdigit() and exc.detail == f"{kind} not found":
            raise NotFound(f"no {kind} has the slug {value!r}: this route takes the {kind}'s slug, "
                           f"not its id (ids are for the {kind} writes)") from exc
        raise
