"""Email templates: every message has an HTML and a plain-text part built from the same data.

Values are HTML-escaped into the HTML part; links are built by the caller from settings.
"""
from __future__ import annotations

from collections.abc import Sequence
from html import escape

from layers.email.message import Email

_LAYOUT = """<!doctype html>
<html><body style="font-family:system-ui,sans-serif;max-width:600px;margin:auto;color:#1f2937">
{body}
{footer}
</body></html>"""


def _html(body: str, unsubscribe_url: str | None) -> str:
    footer = (f'<p style="font-size:12px;color:#6b7280"><a href="{escape(unsubscribe_url)}">Unsubscribe</a></p>'
              if unsubscribe_url else "")
    return _LAYOUT.format(body=body, footer=footer)


def _text(body: str, unsubscribe_url: str | None) -> str:
    return body + (f"\n\nUnsubscribe: {unsubscribe_url}\n" if unsubscribe_url else "\n")


def verification(to: str, name: str, link: str) -> Email:
    return Email(
        to=to,
        subject="Confirm your email address",
        text=_text(f"Hi {name},\n\nConfirm your email address by opening this link:\n{link}\n\n"
                   "The link expires in 24 hours. If you did not sign up, ignore this email.", None),
        html=_html(f"<p>Hi {escape(name)},</p><p>Confirm your email address:</p>"
                   f'<p><a href="{escape(link)}">Confirm email</a></p>'
                   "<p>The link expires in 24 hours. If you did not sign up, ignore this email.</p>", None),
    )


def newsletter_confirmation(to: str, link: str, unsubscribe_url: str) -> Email:
    return Email(
        to=to,
        subject="Confirm your newsletter subscription",
        text=_text(f"Confirm your subscription by opening this link:\n{link}", unsubscribe_url),
        html=_html(f'<p>Confirm your subscription:</p><p><a href="{escape(link)}">Yes, subscribe me</a></p>',
                   unsubscribe_url),
        unsubscribe_url=unsubscribe_url,
    )


def digest(to: str, name: str, posts: Sequence[dict], unsubscribe_url: str, site_url: str) -> Email:
    """``posts``: dicts with ``title``, ``slug`` and an already premium-gated ``excerpt``."""
    text_items = "\n".join(f"- {p['title']}\n  {p['excerpt']}\n  {site_url}/posts/{p['slug']}" for p in posts)
    html_items = "".join(
        f'<li><a href="{escape(site_url)}/posts/{escape(p["slug"])}">{escape(p["title"])}</a>'
        f"<br><span>{escape(p['excerpt'])}</span></li>" for p in posts
    )
    return Email(
        to=to,
        subject=f"Your daily digest: {len(posts)} new post{'s' if len(posts) != 1 else ''}",
        text=_text(f"Hi {name},\n\nNew since yesterday:\n\n{text_items}", unsubscribe_url),
        html=_html(f"<p>Hi {escape(name)},</p><p>New since yesterday:</p><ul>{html_items}</ul>", unsubscribe_url),
        unsubscribe_url=unsubscribe_url,
    )
