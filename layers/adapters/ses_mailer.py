"""The mailer port on SES (locally: moto, where the messages can be read back).

``send`` tells a permanent refusal of one recipient (``RecipientRejected``: a malformed or
rejected address, retrying cannot help) from a transient failure (``DependencyUnavailable``:
throttling, SES or the network down, worth retrying). ``send_bulk`` paces itself under SES's
per-second send rate and keeps going when one recipient fails, returning who failed so the
caller can record it.
"""
from __future__ import annotations

import time
from collections.abc import Sequence

from layers.core import aws
from layers.core.errors import DependencyUnavailable, RecipientRejected
from layers.core.logging import get_logger
from layers.core.mail import Email
from layers.core.ports import BulkResult
from layers.core.settings import get_settings

log = get_logger("email")
DEFAULT_MAX_SEND_RATE = 14.0  # SES's sandbox rate; the account's real rate is asked once per batch
# SES error codes that mean "this message to this recipient will never be accepted".
PERMANENT_ERROR_CODES = frozenset({"MessageRejected", "InvalidParameterValue"})


class SesMailer:
    def send(self, email: Email) -> str:
        """Send one email; raises ``RecipientRejected`` or ``DependencyUnavailable`` if SES refuses."""
        ses = aws.client("ses")
        try:
            result = ses.send_raw_email(RawMessage={"Data": email.to_mime(get_settings().email_sender)})
        except Exception as exc:
            code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code")
            if code in PERMANENT_ERROR_CODES:
                raise RecipientRejected(f"email rejected by SES ({code})") from exc
            raise DependencyUnavailable("email could not be sent") from exc
        return str(result["MessageId"])

    def send_bulk(self, emails: Sequence[Email]) -> BulkResult:
        interval = 1.0 / _max_send_rate()
        sent: list[str] = []
        failed: list[str] = []
        for email in emails:
            started = time.monotonic()
            try:
                self.send(email)
                sent.append(email.to)
            except DependencyUnavailable:
                log.warning("bulk email to one recipient failed",
                            extra={"recipient_domain": email.to.rsplit("@", 1)[-1]})
                failed.append(email.to)
            pause = interval - (time.monotonic() - started)
            if pause > 0:
                time.sleep(pause)
        return BulkResult(sent, failed)


def _max_send_rate() -> float:
    try:
        rate = float(aws.client("ses").get_send_quota().get("MaxSendRate") or DEFAULT_MAX_SEND_RATE)
    except Exception:  # noqa: BLE001 - the quota is advisory; fall back to the sandbox rate
        rate = DEFAULT_MAX_SEND_RATE
    return max(1.0, rate)
