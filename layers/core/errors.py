"""The domain's exception hierarchy.

Services raise these; the HTTP layer maps each class to one status code (``layers.http.errors``).
Infrastructure failures are wrapped in ``DependencyUnavailable`` with ``raise ... from exc`` so
the cause is kept for the logs but never reaches a response body.
"""
from __future__ import annotations

from typing import Any


class AppError(Exception):
    """Base class: ``detail`` is safe to show to the caller."""

    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadRequest(AppError):
    status_code = 400


class Unauthorized(AppError):
    status_code = 401


class Forbidden(AppError):
    status_code = 403


class NotFound(AppError):
    status_code = 404


class Conflict(AppError):
    status_code = 409


class PayloadTooLarge(AppError):
    status_code = 413


class RateLimited(AppError):
    status_code = 429

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class DependencyUnavailable(AppError):
    """A dependency (Stripe, SQS, an identity provider) cannot serve the request now."""

    status_code = 503

    def __init__(self, detail: str, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class DatabaseUnavailable(DependencyUnavailable):
    """PostgreSQL cannot be reached (or a connection broke mid-request): try again shortly."""

    def __init__(self, detail: str = "the database is unavailable; try again shortly") -> None:
        super().__init__(detail, retry_after=5)


class RecipientRejected(DependencyUnavailable):
    """The mail provider refused this recipient for good; retrying the same message cannot help."""


class ValidationFailed(AppError):
    """Input failed validation; ``errors`` is FastAPI's list of ``{loc, msg, type}``."""

    status_code = 422

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("validation failed")
        self.errors = errors


class Redirect(AppError):
    """The resource moved (an old post slug): answer 301 with ``Location``."""

    status_code = 301

    def __init__(self, location: str, detail: str = "moved permanently") -> None:
        super().__init__(detail)
        self.location = location
