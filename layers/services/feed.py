"""RSS 2.0 and Atom feeds of the newest published posts (feedgen, imported on first use).

Every entry carries the excerpt as its summary. The body goes in as the entry's content only when
the post is not locked for an anonymous reader (``premium.gate``): a premium post carries only
its excerpt, since a feed reader is never signed in.
"""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.settings import Settings
from layers.schemas.feed import FeedFormat
from layers.services import premium
from layers.services.posts import queries

FEED_SIZE = 20
FEED_TITLE = "Engineering notes"
FEED_DESCRIPTION = "New posts on databases, Python, serverless, search and software design."
MEDIA_TYPES = {"rss": "application/rss+xml; charset=utf-8", "atom": "application/atom+xml; charset=utf-8"}


def build(conn: Db, settings: Settings, fmt: FeedFormat) -> bytes:
    from feedgen.feed import FeedGenerator

    site = settings.frontend_origin.rstrip("/")
    self_url = f"{settings.public_api_url.rstrip('/')}/api/feed?format={fmt}"
    feed = FeedGenerator()
    feed.id(site + "/")
    feed.title(FEED_TITLE)
    feed.description(FEED_DESCRIPTION)
    feed.link(href=self_url, rel="self")
    feed.link(href=site + "/", rel="alternate")  # last: feedgen uses the last link as RSS <link>
    feed.language("en")
    posts = [premium.gate(p, full_access=False) for p in queries.latest_published(conn, FEED_SIZE)]
    if posts:
        feed.updated(max(p["updated_at"] for p in posts))
    for post in posts:
        _add_entry(feed, site, post)
    xml: bytes = feed.atom_str(pretty=True) if fmt == "atom" else feed.rss_str(pretty=True)
    return xml


def _add_entry(feed: Any, site: str, post: dict[str, Any]) -> None:
    url = f"{site}/posts/{post['slug']}"
    entry = feed.add_entry(order="append")
    entry.id(url)
    entry.guid(url, permalink=True)
    entry.title(post["title"])
    entry.link(href=url, rel="alternate")
    entry.published(post["published_at"])
    entry.updated(post["updated_at"])
    if post["author"]:
        entry.author(name=post["author"]["name"])
    for tag in post["tags"]:
        entry.category(term=tag["slug"], label=tag["name"])
    if premium.quotable_field(post) == "content":
        entry.content(post["content"], type="text")
    entry.summary(post["excerpt"] or post["title"])  # Atom summary and RSS description
