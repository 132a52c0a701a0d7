"""Email templates: every message has an HTML and a plain-text part built from the same data.

Values are HTML-escaped into the HTML part; links are built by the caller from settings.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from layers.core.mail import Email


@dataclass(frozen=True)
class DigestLinks:
    site_url: str
    unsubscribe_url: str  # the page the footer link opens
    one_click_url: str  # the List-Unsubscribe (RFC 8058) endpoint


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


def newsletter_confirmation(to: str, link: str, unsubscribe_url: str, one_click_url: str) -> Email:
    return Email(
        to=to,
        subject="Confirm your newsletter subscription",
        text=_text(f"Confirm your subscription by opening this link:\n{link}\n\n"
                   "If you did not ask to subscribe, ignore this email: nothing will be sent to you.",
                   unsubscribe_url),
        html=_html(f'<p>Confirm your subscription:</p><p><a href="{escape(link)}">Yes, subscribe me</a></p>'
                   "<p>If you did not ask to subscribe, ignore this email: nothing will be sent to you.</p>",
                   unsubscribe_url),
        unsubscribe_url=unsubscribe_url,
        one_click_url=one_click_url,
    )


def digest(to: str, name: str, posts: Sequence[Mapping[str, Any]], links: DigestLinks) -> Email:
    """``posts``: dicts with ``title``, ``slug``, ``is_premium`` and ``excerpt`` (never the body)."""
    site = links.site_url
    text_items = "\n".join(f"- {p['title']}{_premium_mark(p)}\n  {p['excerpt']}\n  {site}/posts/{p['slug']}"
                           for p in posts)
    html_items = "".join(
        f'<li><a href="{escape(site)}/posts/{escape(p["slug"])}">{escape(p["title"])}</a>{escape(_premium_mark(p))}'
        f"<br><span>{escape(p['excerpt'])}</span></li>" for p in posts
    )
    return Email(
        to=to,
        subject=f"Your daily digest: {len(posts)} new post{'s' if len(posts) != 1 else ''}",
        text=_text(f"Hi {name},\n\nNew since yesterday:\n\n{text_items}", links.unsubscribe_url),
        html=_html(f"<p>Hi {escape(name)},</p><p>New since yesterday:</p><ul>{html_items}</ul>",
                   links.unsubscribe_url),
        unsubscribe_url=links.unsubscribe_url,
        one_click_url=links.one_click_url,
    )


def _premium_mark(post: Mapping[str, Any]) -> str:
    return " (premium)" if post.get("is_premium") else ""


def payment_failed(to: str, name: str, amount: str, billing_url: str, invoice_url: str | None) -> Email:
    """A renewal could not be charged; Stripe retries, access continues for the grace period."""
    pay = f"\nOr pay this invoice directly: {invoice_url}" if invoice_url else ""
    pay_html = f'<p>Or <a href="{escape(invoice_url)}">pay this invoice directly</a>.</p>' if invoice_url else ""
    return Email(
        to=to,
        subject="Your subscription payment failed",
        text=_text(f"Hi {name},\n\nWe could not charge {amount} for your subscription. We will retry over the "
                   f"next few days; to keep your premium access, update your card:\n{billing_url}{pay}", None),
        html=_html(f"<p>Hi {escape(name)},</p><p>We could not charge {escape(amount)} for your subscription. "
                   "We will retry over the next few days; to keep your premium access, update your card:</p>"
                   f'<p><a href="{escape(billing_url)}">Update payment method</a></p>{pay_html}', None),
    )
