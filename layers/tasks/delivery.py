"""Emails sent by tasks: a redelivered task does not send again what SES already took.

The worker's effects in PostgreSQL happen exactly once (the task id is claimed in the effect's
transaction), but an email leaves before that transaction commits, so a task that fails after
SES accepted its email would send it again on redelivery. Each send is therefore recorded under
(task id, recipient) on a connection of its own, committed at once, and marked with what the
call told us:

- ``sent``: SES accepted it. A redelivery (the task failed later, or the process died before its
  transaction committed) sends nothing.
- ``unknown``: the request went out and no answer came back (a read timeout; SES may well have
  taken it). A redelivery sends nothing: that email is at most once, and may be lost.
- ``failed``: SES refused it or could not be reached, so nothing was sent: a redelivery sends.
- ``sending``: the process died during the call. A redelivery sends again: this is the window
  that stays at-least-once (SES accepted, the process died before the mark), a few milliseconds
  wide instead of the rest of the task and its commit.
"""
from __future__ import annotations

from collections.abc import Sequence

from layers.core import db
from layers.core.logging import get_logger
from layers.core.mail import Email
from layers.core.ports import BulkResult, Mailer

log = get_logger("tasks.delivery")
# botocore errors after which the request may have reached SES (a reply was lost, not refused).
_AMBIGUOUS = frozenset({"ReadTimeoutError", "ConnectionClosedError", "ResponseStreamingError"})


class OncePerTask:
    """The mailer a task handler receives: records each send under the task id before sending."""

    def __init__(self, mailer: Mailer, task_id: str) -> None:
        self._mailer, self._task_id = mailer, task_id

    def send(self, email: Email) -> str:
        if not _claim(self._task_id, email.to):
            log.info("email already taken by SES (or possibly so) in an earlier delivery of this task",
                     extra={"task_id": self._task_id})
            return ""
        try:
            message_id = self._mailer.send(email)
        except Exception as exc:
            _mark(self._task_id, email.to, "unknown" if _maybe_sent(exc) else "failed")
            raise
        _mark(self._task_id, email.to, "sent")
        return message_id

    def send_bulk(self, emails: Sequence[Email]) -> BulkResult:
        fresh = [e for e in emails if _claim(self._task_id, e.to)]
        result = self._mailer.send_bulk(fresh)
        for to in result.sent:
            _mark(self._task_id, to, "sent")
        for to in result.failed:
            _mark(self._task_id, to, "failed")
        return result


def _claim(task_id: str, recipient: str) -> bool:
    with db.connection() as conn:
        row = conn.execute(
            "INSERT INTO email_deliveries (task_id, recipient, state) VALUES (%s, %s, 'sending')"
            " ON CONFLICT (task_id, recipient) DO UPDATE SET state = 'sending', attempted_at = now(),"
            " updated_at = now() WHERE email_deliveries.state IN ('failed', 'sending') RETURNING task_id",
            (task_id, recipient),
        ).fetchone()
        conn.commit()
    return row is not None


def _mark(task_id: str, recipient: str, state: str) -> None:
    with db.connection() as conn:
        conn.execute("UPDATE email_deliveries SET state = %s, updated_at = now()"
                     " WHERE task_id = %s AND recipient = %s", (state, task_id, recipient))
        conn.commit()


def _maybe_sent(exc: BaseException) -> bool:
    cause: BaseException | None = exc
    while cause is not None:
        if type(cause).__name__ in _AMBIGUOUS:
            return True
        cause = cause.__cause__
    return False
