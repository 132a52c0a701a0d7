"""The posts list's full-text filter cannot be used to probe the words of a paid body.

Without full access a premium post matches ``?q=`` on its title and excerpt only, exactly as
``/api/search`` does; subscribers and admins match its body too.
"""
from __future__ import annotations

import pytest

from tests.support.content import content

PAID_BODY = """Opening words that anyone may read before subscribing.

## Deep dive

Only subscribers learn about the zanzibar technique and its trade-offs.
"""


@pytest.fixture
def premium_post(content):
    return content.post("Advanced indexing", content=PAID_BODY, excerpt="A teaser about partial indexes.",
                        is_premium=True)


def _listed(api, q, token=None):
    reply = api.get(f"/api/posts?q={q}", token=token)
    assert reply.status == 200, reply.text
    return [p["slug"] for p in reply.json["items"]], reply.json["total"]


def test_a_word_only_in_the_paid_body_lists_nothing_without_full_access(api, content, premium_post):
    for token in (None, content.reader().token):
        assert _listed(api, "zanzibar", token) == ([], 0)
        assert _listed(api, "zanzibar%20or%20nonexistentword", token) == ([], 0)


def test_title_and_excerpt_still_match_for_everyone(api, content, premium_post):
    for token in (None, content.reader().token):
        assert _listed(api, "indexing", token) == ([premium_post["slug"]], 1)
        assert _listed(api, "partial", token) == ([premium_post["slug"]], 1)


def test_subscribers_and_admins_match_the_body(api, content, premium_post):
    for token in (content.reader(premium=True).token, content.token):
        assert _listed(api, "zanzibar", token) == ([premium_post["slug"]], 1)


def test_free_posts_still_match_on_their_body(api, content, premium_post):
    free = content.post("Free post", content="A free body about the zanzibar technique.")
    assert _listed(api, "zanzibar") == ([free["slug"]], 1)
