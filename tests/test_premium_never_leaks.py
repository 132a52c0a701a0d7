"""Premium content never reaches a caller without a subscription, by any path.

A short premium post (one section, under the preview length) is not returned whole: a preview is
at most a third of the body. A cross-path sweep with one secret word covers the post page, list,
search, feed, bookmarks, progress, recommendations and series views.
"""
from __future__ import annotations

import pytest

from tests.support.content import content, db_rows

SECRET = "quuxolotl"
SHORT_BODY = (f"Subscribers learn that the {SECRET} trick halves index build time on large tables, "
              "and exactly when it does not apply.")
LONG_BODY = f"""Opening words that anyone may read before subscribing.

## Deep dive

Only subscribers learn about the {SECRET} technique and its trade-offs.
"""


def _readers(content):
    return {"anonymous": None, "reader": content.reader().token}


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_short_premium_post_is_not_returned_whole_to_non_subscribers(api, content, who):
    post = content.post("Short premium", content=SHORT_BODY, excerpt="A teaser.", is_premium=True)
    token = _readers(content)[who]
    reply = api.get(f"/api/posts/{post['slug']}", token=token)
    assert reply.status == 200
    assert reply.json["locked"] is True
    # A preview is strictly less than the body: the paid text must not be there in full.
    assert reply.json["content"] != SHORT_BODY, "locked post returned its full body"
    shown = [w for w in reply.json["content"].split() if w != "…"]
    assert len(shown) <= len(SHORT_BODY.split()) // 3, "a preview shows at most a third of the body"
    assert "exactly when it does not apply" not in reply.json["content"]


def test_premium_subscriber_and_admin_see_the_short_post_whole(api, content):
    post = content.post("Short premium", content=SHORT_BODY, excerpt="A teaser.", is_premium=True)
    for token in (content.reader(premium=True).token, content.token):
        reply = api.get(f"/api/posts/{post['slug']}", token=token)
        assert reply.json["locked"] is False and reply.json["content"] == SHORT_BODY


# ---- coverage sweep (passes today) --------------------------------------------------------------

def test_secret_premium_text_reaches_no_list_or_feed_for_non_subscribers(api, content, drain):
    post = content.post("Deep premium", content=LONG_BODY, excerpt="A teaser.", is_premium=True,
                        tags=[content.tag("Indexing")["slug"]])
    free = content.post("Free neighbour", content="A free post about indexing.", excerpt="Free.",
                        tags=["indexing"])
    reader = content.reader()
    # Give the reader history so recommendations are personalised, and a bookmark.
    assert api.post(f"/api/progress/{free['id']}/read", {}, token=reader.token).status == 200
    assert api.post("/api/bookmarks", {"post_id": post["id"]}, token=reader.token).status == 201
    paths = [
        f"/api/posts/{post['slug']}", "/api/posts", "/api/posts?tag=indexing", f"/api/search?q={SECRET}",
        "/api/search?q=subscribers", "/api/feed", "/api/feed?format=atom", "/api/recommendations",
        "/api/bookmarks", "/api/progress",
    ]
    for token in (None, reader.token):
        for path in paths:
            if token is None and path.startswith(("/api/bookmarks", "/api/progress")):
                continue
            reply = api.get(path, token=token)
            assert reply.status == 200, (path, reply.text)
            assert SECRET not in reply.text, f"premium body leaked through {path}"


def test_premium_subscriber_gets_the_body_on_the_post_page(api, content):
    post = content.post("Deep premium", content=LONG_BODY, excerpt="A teaser.", is_premium=True)
    reply = api.get(f"/api/posts/{post['slug']}", token=content.reader(premium=True).token)
    assert SECRET in reply.json["content"]


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_search_does_not_reveal_words_of_a_premium_body(api, content, who):
    content.post("Deep premium", content=LONG_BODY, excerpt="A teaser.", is_premium=True)
    token = _readers(content)[who]
    reply = api.get(f"/api/search?q={SECRET}", token=token)
    assert reply.status == 200 and reply.json["total"] == 0 and reply.json["items"] == []
    # The title and excerpt are public: they still find it.
    assert api.get("/api/search?q=teaser", token=token).json["total"] == 1


def test_subscribers_find_premium_posts_by_their_body(api, content):
    content.post("Deep premium", content=LONG_BODY, excerpt="A teaser.", is_premium=True)
    reply = api.get(f"/api/search?q={SECRET}", token=content.reader(premium=True).token)
    assert reply.json["total"] == 1 and reply.json["items"][0]["locked"] is False
