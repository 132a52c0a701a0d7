"""An email ready to send, built as MIME with both parts and optional List-Unsubscribe."""
from __future__ import annotations

from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage

# Headers fold at RFC 5322's hard limit, not the 78-character default: folding a long URL makes
# the email package rewrite the whole List-Unsubscribe value as RFC 2047 encoded words, which
# mail clients do not decode there, so the unsubscribe link would silently stop working.
_POLICY = policy.default.clone(max_line_length=998)


@dataclass(frozen=True)
class Email:
    """``unsubscribe_url`` is the page a reader opens from the footer link; ``one_click_url``
    the endpoint mail clients POST to (RFC 8058). Bulk email sets both."""

    to: str
    subject: str
    text: str
    html: str
    unsubscribe_url: str | None = None
    one_click_url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def to_mime(self, sender: str) -> bytes:
        msg = EmailMessage(policy=_POLICY)
        msg["From"] = sender
        msg["To"] = self.to
        msg["Subject"] = self.subject
        target = self.one_click_url or self.unsubscribe_url
        if target:
            msg["List-Unsubscribe"] = f"<{target}>"
        if self.one_click_url:
            # RFC 8058 one-click unsubscribe: mail clients POST to the URL without a page visit.
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        for name, value in self.headers.items():
            msg[name] = value
        msg.set_content(self.text)
        msg.add_alternative(self.html, subtype="html")
        return msg.as_bytes()
