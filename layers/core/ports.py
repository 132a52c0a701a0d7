"""Ports: the interfaces of everything outside this codebase that a service may call.

Each port is a ``typing.Protocol`` with a real implementation and an in-process fake under
``layers.adapters``; ``layers.bootstrap`` (the composition root) decides which one a handler,
task or job receives. Services depend on these protocols only, never on an SDK.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from layers.core.mail import Email


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC (``datetime.timezone.utc``)."""
        ...


@runtime_checkable
class Mailer(Protocol):
    def send(self, email: Email) -> str:
        """Send one email and return the provider's message id.

        Raises ``RecipientRejected`` when this recipient can never be reached and
        ``DependencyUnavailable`` for a failure worth retrying.
        """
        ...

    def send_bulk(self, emails: Sequence[Email]) -> BulkResult:
        """Send many, paced under the provider's rate; one recipient's failure stops nothing."""
        ...


@dataclass(frozen=True)
class BulkResult:
    sent: list[str]
    failed: list[str]


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


@runtime_checkable
class Payments(Protocol):
    """Stripe, as far as this platform uses it.

    Webhook verification needs only the webhook secret; every API call needs the secret key and
    raises ``DependencyUnavailable`` without one (or when Stripe cannot be reached). Objects come
    back as plain JSON-shaped mappings, the shape of Stripe's API.
    """

    @property
    def has_api_key(self) -> bool:
        """True when Stripe's API can be called (a secret key is configured)."""
        ...

    def create_checkout_session(self, *, price_id: str, user_id: int, email: str,
                                customer_id: str | None, success_url: str, cancel_url: str,
                                idempotency_key: str) -> CheckoutSession:
        ...

    def create_portal_session(self, *, customer_id: str, return_url: str) -> str:
        """A customer-portal URL."""
        ...

    def retrieve_subscription(self, subscription_id: str) -> Mapping[str, Any]:
        """The subscription as the provider has it; ``NotFound`` when it has no such subscription."""
        ...

    def verify_event(self, payload: bytes, signature: str | None) -> Mapping[str, Any]:
        """The event in a signed webhook body; ``BadRequest`` when the signature does not hold."""
        ...


@runtime_checkable
class Embeddings(Protocol):
    @property
    def model_id(self) -> str:
        """Stored beside every vector: a change of model means re-embedding."""
        ...

    @property
    def dimensions(self) -> int:
        ...

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One L2-normalised vector per text, in order."""
        ...


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk an answer may quote."""

    chunk_id: int
    post_id: int
    title: str
    text: str
    score: float


@dataclass(frozen=True)
class Answer:
    text: str
    cited_chunk_ids: list[int] = field(default_factory=list)
    extractive: bool = False


@runtime_checkable
class AnswerGenerator(Protocol):
    def answer(self, question: str, passages: Sequence[Passage]) -> Answer:
        """An answer grounded in ``passages`` only, naming the chunks it used."""
        ...


@dataclass(frozen=True)
class ExecutionResult:
    """One run's answer; ``exit_code`` is 137 when the sandbox stopped the program."""

    stdout: str
    stderr: str
    exit_code: int
    duration_ms: int
    timed_out: bool
    truncated: bool


@runtime_checkable
class CodeSandbox(Protocol):
    def run(self, code: str, stdin: str = "") -> ExecutionResult:
        """Run untrusted Python with no network, no host files and capped time, memory, output.

        Whatever the program does is in the result (a timeout is ``timed_out``, output past the
        cap is cut and ``truncated``); ``DependencyUnavailable`` with ``retry_after`` when every
        runner is busy.
        """
        ...


@dataclass(frozen=True)
class AnswerAssessment:
    """How well one interview answer covers its question's key points."""

    score: int  # 0-100
    covered: list[str]
    missing: list[str]


@runtime_checkable
class InterviewGrader(Protocol):
    def assess(self, question: str, reference_answer: str, key_points: Sequence[str],
               answer: str) -> AnswerAssessment:
        """Which ``key_points`` the answer covers, by meaning; deterministic for the same input."""
        ...


class RevalidationRejected(Exception):
    """A revalidation target refused the request (an HTTP 4xx): retrying would not change that."""


@runtime_checkable
class RevalidationTarget(Protocol):
    """Something holding copies of public pages: the CDN, the frontend's page cache."""

    @property
    def name(self) -> str:
        ...

    def revalidate(self, paths: Sequence[str], reference: str) -> None:
        """Drop the copies of ``paths`` (frontend paths such as ``/posts/a-slug``).

        ``reference`` is the same when the same work is retried, so the target can ignore a
        repeat. Raises ``RevalidationRejected`` when refused for good and
        ``DependencyUnavailable`` for a failure worth retrying (5xx, timeout, throttling).
        """
        ...


@runtime_checkable
class Revalidation(Protocol):
    def targets(self) -> Sequence[RevalidationTarget]:
        """The configured targets in the order to call them; empty when none is configured."""
        ...


@runtime_checkable
class SearchEngineNotifier(Protocol):
    """IndexNow: tells search engines which URLs changed."""

    @property
    def enabled(self) -> bool:
        ...

    def submit(self, urls: Sequence[str]) -> None:
        """Same errors as ``RevalidationTarget.revalidate``."""
        ...
