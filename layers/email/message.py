"""An email ready to send, built as MIME with both parts and optional List-Unsubscribe."""
from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    unsubscribe_url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def to_mime(self, sender: str) -> bytes:
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = self.to
        msg["Subject"] = self.subject
        if self.unsubscribe_url:
            # RFC 8058 one-click unsubscribe: mail clients POST to the URL without a page visit.
            msg["List-Unsubscribe"] = f"<{self.unsubscribe_url}>"
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        for name, value in self.headers.items():
            msg[name] = value
        msg.set_content(self.text)
        msg.add_alternative(self.html, subtype="html")
        return msg.as_bytes()
