"""An in-process mailer that keeps what it was asked to send (tests, and runs without SES)."""
from __future__ import annotations

from collections.abc import Sequence

from layers.core.errors import RecipientRejected
from layers.core.mail import Email
from layers.core.ports import BulkResult


class MemoryMailer:
    def __init__(self, rejected: frozenset[str] = frozenset()) -> None:
        self.sent: list[Email] = []
        self._rejected = rejected

    def send(self, email: Email) -> str:
        if email.to in self._rejected:
            raise RecipientRejected("email rejected (test double)")
        self.sent.append(email)
        return f"memory-{len(self.sent)}"

    def send_bulk(self, emails: Sequence[Email]) -> BulkResult:
        sent: list[str] = []
        failed: list[str] = []
        for email in emails:
            try:
                self.send(email)
                sent.append(email.to)
            except RecipientRejected:
                failed.append(email.to)
        return BulkResult(sent, failed)
