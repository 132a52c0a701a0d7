"""``make run``'s rate limits: the production defaults times ten, unless the developer set them.

Locally one developer (a frontend reloading on every save, each page making several API calls) is
the only client, and the moving window lives in Redis, so it survives a restart: with the
production limits the developer is locked out for the rest of the hour after about 100 page loads.
The production defaults (``layers.core.settings``) are not touched; only the environment of this
process is, and only for the variables the developer left unset.
"""
from __future__ import annotations

from collections.abc import MutableMapping

from layers.core.settings import Settings

LOCAL_FACTOR = 10


def apply_local_defaults(environ: MutableMapping[str, str]) -> dict[str, str]:
    """Fill in each unset ``RATE_LIMIT_*``; return every limit in force, by variable."""
    in_force = {}
    for name, field in Settings.model_fields.items():
        if not name.startswith("rate_limit_") or field.alias is None:
            continue
        if field.alias not in environ:
            environ[field.alias] = _scaled(str(field.default))
        in_force[field.alias] = environ[field.alias]
    return in_force


def describe(in_force: dict[str, str], set_by_user: set[str]) -> str:
    """One line for the start-up banner: what applies, and which values are the developer's."""
    parts = [f"{variable.removeprefix('RATE_LIMIT_').lower()} {limit}"
             + (" (set)" if variable in set_by_user else "") for variable, limit in in_force.items()]
    return (f"rate limits: {', '.join(parts)} "
            f"({LOCAL_FACTOR}x production unless set; RATE_LIMIT_* change them)")


def _scaled(limit: str) -> str:
    # The defaults are "<count>/<period>"; the period stays, so the window behaves the same.
    count, period = limit.split("/", 1)
    return f"{int(count) * LOCAL_FACTOR}/{period}"
