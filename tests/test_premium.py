"""Premium gating holds on every path a premium text can take: post page, lists, feed, search."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from layers.services import premium
from tests.support.content import content, db_rows

# The body's secret word sits past the first section, so no preview can contain it.
PREMIUM_BODY = """Opening words that anyone may read before subscribing.

## Deep dive

Only subscribers learn about the zanzibar technique and its trade-offs.
"""
PREMIUM_EXCERPT = "A teaser about advanced indexing."


@pytest.fixture
def premium_post(content):
    return content.post("Advanced indexing", content=PREMIUM_BODY, excerpt=PREMIUM_EXCERPT, is_premium=True)


# ---- the rule itself ------------------------------------------------------------------------

class _User:
    def __init__(self, is_admin: bool = False, is_premium: bool = False) -> None:
        self.is_admin, self.is_premium = is_admin, is_premium


def test_full_access_is_for_admins_and_subscribers():
    assert not premium.has_full_access(None)
    assert not premium.has_full_access(_User())
    assert premium.has_full_access(_User(is_premium=True))
    assert premium.has_full_access(_User(is_admin=True))


def test_gate_locks_premium_content_for_non_subscribers():
    row = {"is_premium": True, "content": PREMIUM_BODY, "excerpt": PREMIUM_EXCERPT}
    locked = premium.gate(row, full_access=False)
    assert locked["locked"] is True
    # The opening section, cut to at most a third of the body's words.
    assert locked["content"].startswith("Opening words")
    assert len(locked["content"].replace(" …", "").split()) <= len(PREMIUM_BODY.split()) // 3
    assert premium.quotable_field(locked) == "excerpt"
    assert row["content"] == PREMIUM_BODY  # the caller's row is not modified
    unlocked = premium.gate(row, full_access=True)
    assert unlocked["locked"] is False and unlocked["content"] == PREMIUM_BODY
    assert premium.quotable_field(unlocked) == "content"
    free = premium.gate({"is_premium": False, "content": PREMIUM_BODY}, full_access=False)
    assert free["locked"] is False and free["content"] == PREMIUM_BODY


def test_preview_is_capped_in_words():
    body = " ".join(f"w{i}" for i in range(500))
    locked = premium.gate({"is_premium": True, "content": body}, full_access=False)
    assert locked["content"].split()[:premium.PREVIEW_WORDS] == body.split()[:premium.PREVIEW_WORDS]
    assert len(locked["content"].split()) == premium.PREVIEW_WORDS + 1  # the words and an ellipsis
    assert locked["content"].endswith("…")


def test_preview_closes_a_cut_code_fence():
    body = "Intro\n\n```python\n" + "x = 1\n" * 100 + "```\n"
    preview = premium.gate({"is_premium": True, "content": body}, full_access=False)["content"]
    assert preview.count("```") == 2


def test_quotable_field_requires_a_gated_row():
    with pytest.raises(ValueError):
        premium.quotable_field({"is_premium": True})


# ---- every path -----------------------------------------------------------------------------

def _callers(content):
    return {"anonymous": None, "reader": content.reader().token}


def test_post_page_shows_a_preview_to_non_subscribers(api, content, premium_post):
    for who, token in _callers(content).items():
        post = api.get(f"/api/posts/{premium_post['slug']}", token=token).json
        assert post["locked"] is True, who
        assert "zanzibar" not in post["content"] and post["content"].startswith("Opening words"), who
        assert post["excerpt"] == PREMIUM_EXCERPT
    for token in (content.reader(premium=True).token, content.token):
        post = api.get(f"/api/posts/{premium_post['slug']}", token=token).json
        assert post["locked"] is False and "zanzibar" in post["content"]


def test_lists_mark_premium_posts_locked(api, content, premium_post):
    content.post("Free post")
    for token in _callers(content).values():
        items = {p["slug"]: p for p in api.get("/api/posts", token=token).json["items"]}
        assert items[premium_post["slug"]]["locked"] is True
        assert items["free-post"]["locked"] is False
        assert "zanzibar" not in str(items)
    subscriber = content.reader(premium=True).token
    assert all(not p["locked"] for p in api.get("/api/posts", token=subscriber).json["items"])


def test_full_text_filter_does_not_reveal_words_of_a_paid_body(api, content, premium_post):
    assert api.get("/api/posts?q=zanzibar").json["items"] == []
    items = api.get("/api/posts?q=indexing").json["items"]
    assert [p["slug"] for p in items] == [premium_post["slug"]]
    assert items[0]["locked"] is True and "content" not in items[0]


def test_search_snippets_quote_only_the_excerpt_for_non_subscribers(api, content, premium_post):
    for token in _callers(content).values():
        for q in ("zanzibar", "indexing", "opening words"):
            reply = api.get(f"/api/search?q={q.replace(' ', '%20')}", token=token)
            assert reply.status == 200, reply.text
            for hit in reply.json["items"]:
                assert hit["locked"] is True
                plain = hit["snippet"].replace("<mark>", "").replace("</mark>", "")
                assert "zanzibar" not in plain.lower() and "Opening" not in plain
                assert plain in PREMIUM_EXCERPT
    hit = api.get("/api/search?q=zanzibar", token=content.reader(premium=True).token).json["items"][0]
    assert hit["locked"] is False and "<mark>zanzibar</mark>" in hit["snippet"]


def test_feed_carries_only_the_excerpt_of_premium_posts(api, content, premium_post):
    content.post("Free post", content="Free body with the word kilimanjaro.")
    for fmt in ("rss", "atom"):
        reply = api.get(f"/api/feed?format={fmt}")
        assert reply.status == 200
        ET.fromstring(reply.body)
        assert "zanzibar" not in reply.text and "Opening words" not in reply.text
        assert PREMIUM_EXCERPT in reply.text and "kilimanjaro" in reply.text


def test_a_premium_flip_needs_no_reindexing(api, content, premium_post, drain):
    # Chunks carry no premium flag: who may read them is decided by the post at query time
    # (tests/test_visibility_at_query_time.py), so a flip queues no rebuild.
    drain()
    chunks = db_rows("SELECT id, content FROM rag_chunks WHERE post_id = %s ORDER BY id", premium_post["id"])
    assert chunks
    queued = "SELECT count(*) FROM task_outbox WHERE task_type = 'embed_post'"
    before = db_rows(queued)
    content.patch(premium_post["id"], is_premium=False)
    assert db_rows(queued) == before
    drain()
    assert db_rows("SELECT id, content FROM rag_chunks WHERE post_id = %s ORDER BY id", premium_post["id"]) == chunks


def test_lapsed_subscription_locks_again(api, content, premium_post):
    subscriber = content.reader(premium=True)
    db_rows("UPDATE subscriptions SET status = 'canceled' WHERE user_id = %s RETURNING id", subscriber.id)
    post = api.get(f"/api/posts/{premium_post['slug']}", token=subscriber.token).json
    assert post["locked"] is True and "zanzibar" not in post["content"]
