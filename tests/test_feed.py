"""RSS and Atom feeds: valid XML, newest 20 published posts, premium posts carry only their excerpt."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.support.content import content, db_rows

ATOM = "{http://www.w3.org/2005/Atom}"


def test_rss_feed(api, content):
    content.tag("Databases")
    content.post("First post", excerpt="First excerpt.", content="First body.", tags=["databases"])
    content.post("Second post", excerpt="Second excerpt.", content="Second body.")
    content.post("Draft post", status="draft")
    reply = api.get("/api/feed")
    assert reply.status == 200, reply.text
    assert reply.header("Content-Type").startswith("application/rss+xml")
    channel = ET.fromstring(reply.body).find("channel")
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["Second post", "First post"]
    assert items[1].findtext("link") == "http://localhost:3000/posts/first-post"
    assert items[1].findtext("description") == "First excerpt."
    assert items[1].findtext("category") == "Databases"
    assert items[1].findtext("{http://purl.org/rss/1.0/modules/content/}encoded") == "First body."
    assert channel.findtext("link") == "http://localhost:3000/"


def test_atom_feed(api, content):
    content.post("Only post", excerpt="Summary here.", content="Body here.")
    reply = api.get("/api/feed?format=atom")
    assert reply.status == 200
    assert reply.header("Content-Type").startswith("application/atom+xml")
    root = ET.fromstring(reply.body)
    assert root.tag == f"{ATOM}feed"
    entry = root.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Only post"
    assert entry.findtext(f"{ATOM}summary") == "Summary here."
    assert entry.findtext(f"{ATOM}content") == "Body here."
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Admin"


def test_feed_holds_the_newest_twenty(api, content):
    for i in range(23):
        post = content.post(f"Post {i}")
        db_rows("UPDATE posts SET published_at = now() - make_interval(days => %s) WHERE id = %s RETURNING id",
                30 - i, post["id"])
    items = ET.fromstring(api.get("/api/feed").body).find("channel").findall("item")
    assert len(items) == 20
    assert items[0].findtext("title") == "Post 22" and items[-1].findtext("title") == "Post 3"


def test_premium_posts_carry_only_their_excerpt(api, content):
    content.post("Members only", excerpt="Public teaser.", content="Paid body paragraph.", is_premium=True)
    for fmt in ("rss", "atom"):
        reply = api.get(f"/api/feed?format={fmt}", token=content.reader(premium=True).token)
        ET.fromstring(reply.body)
        assert "Public teaser." in reply.text and "Paid body" not in reply.text


def test_empty_feed_is_valid(api):
    for fmt in ("rss", "atom"):
        reply = api.get(f"/api/feed?format={fmt}")
        assert reply.status == 200
        ET.fromstring(reply.body)


def test_unknown_format_is_422(api):
    for query in ("format=json", "format=", "format=RSS"):
        assert api.get(f"/api/feed?{query}").status == 422


def test_odd_text_survives_xml(api, content):
    content.post("Ampersands & <angles> ünïcödé 🙂", excerpt="Quotes \" and ' and ]]>", content="x < y && z")
    for fmt in ("rss", "atom"):
        reply = api.get(f"/api/feed?format={fmt}")
        assert reply.status == 200
        assert "🙂" in reply.text
        ET.fromstring(reply.body)
