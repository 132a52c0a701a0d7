"""Ask AI and related reading: answers with citations, nothing relevant, gating, bad input."""
from __future__ import annotations

from tests.support.content import content
from tests.support.rag import BREAD, GARDEN, INDEXES, ask, minilm, related, semantic

__all__ = ["content", "minilm", "semantic"]

PREMIUM_BODY = ("Raise work_mem for the sessions that sort: a sort that spills to disk is the usual reason a "
                "report query suddenly takes minutes. Zanzibarite buffers are our codename for this trick.")


def _library(content, drain):
    posts = {title: content.post(title, content=body, excerpt="A short note.") for title, body in
             (INDEXES, BREAD, GARDEN)}
    drain()
    return posts


def test_an_answer_quotes_the_best_post_with_numbered_citations(api, content, drain, semantic):
    posts = _library(content, drain)
    reader = content.reader()
    reply = ask(api, "How can I make lookups in a huge table fast?", reader.token)
    assert reply.status == 200, reply.text
    body = reply.json
    assert body["extractive"] is True and "extractive" in body["answer"].lower()
    first = body["sources"][0]
    assert first["post_id"] == posts[INDEXES[0]]["id"] and first["slug"] == posts[INDEXES[0]]["slug"]
    assert {"post_id", "slug", "title", "chunk_id", "snippet", "score"} <= set(first)
    assert "[1]" in body["answer"] and "B-tree" in body["answer"]
    assert all(s["post_id"] != posts[BREAD[0]]["id"] for s in body["sources"])


def test_no_relevant_post_gives_a_clear_answer_without_sources(api, content, drain, semantic):
    _library(content, drain)
    reply = ask(api, "Who won the football world cup in 1998?", content.reader().token)
    assert reply.status == 200, reply.text
    assert reply.json["sources"] == []
    assert "No published post answers this question" in reply.json["answer"]


def test_with_nothing_published_the_answer_is_still_clear(api, content, semantic):
    reply = ask(api, "What is a B-tree?", content.reader().token)
    assert reply.status == 200 and reply.json["sources"] == []


def test_premium_chunks_reach_subscribers_only(api, content, drain, semantic):
    content.post("Memory for sorting", content=PREMIUM_BODY, excerpt="Paid deep dive.", is_premium=True)
    _library(content, drain)
    question = "Why does my reporting query slow down when sorting lots of rows?"
    reader, subscriber = content.reader(), content.reader(premium=True)
    locked = ask(api, question, reader.token).json
    assert "zanzibarite" not in str(locked).lower() and "work_mem" not in str(locked)
    assert all(s["title"] != "Memory for sorting" for s in locked["sources"])
    unlocked = ask(api, question, subscriber.token).json
    assert unlocked["sources"][0]["title"] == "Memory for sorting"
    assert "work_mem" in unlocked["answer"]
    admin = ask(api, question, content.token).json
    assert admin["sources"][0]["title"] == "Memory for sorting"


def test_ask_needs_a_signed_in_user_and_a_bounded_question(api, content):
    assert ask(api, "What is a B-tree?", None).status == 401
    token = content.reader().token
    for body in ({"question": "ab"}, {"question": "x" * 501}, {}, {"question": 5},
                 {"question": "What is a B-tree?", "extra": 1}, {"question": "bad\u0000byte"}):
        reply = api.post("/api/rag/ask", body, token=token)
        assert reply.status == 422, (body, reply.text)
        assert reply.json["detail"][0]["loc"][0] == "body"


def test_ask_has_its_own_rate_limit(api, content, settings_env, semantic):
    settings_env(RATE_LIMIT_RAG="2/minute")
    token = content.reader().token
    statuses = [ask(api, "What is a B-tree?", token).status for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_related_to_a_post_lists_other_posts_nearest_first(api, content, drain, semantic):
    posts = _library(content, drain)
    composite = content.post("Composite indexes in PostgreSQL", excerpt="More indexes.",
                             content="An index on two columns serves queries that filter on the first "
                                     "column, or on both; order the columns by selectivity.")
    drain()
    reply = related(api, post_id=posts[INDEXES[0]]["id"], limit=2)
    assert reply.status == 200, reply.text
    items = reply.json["items"]
    assert [i["post_id"] for i in items][0] == composite["id"]
    assert posts[INDEXES[0]]["id"] not in [i["post_id"] for i in items]
    assert len(items) == 2 and items[0]["score"] >= items[1]["score"]
    by_text = related(api, q="sourdough starter").json["items"]
    assert by_text[0]["post_id"] == posts[BREAD[0]]["id"]


def test_related_never_quotes_premium_chunks_without_a_subscription(api, content, drain, semantic):
    premium = content.post("Memory for sorting", content=PREMIUM_BODY, excerpt="Paid deep dive.", is_premium=True)
    free = _library(content, drain)[INDEXES[0]]
    for token in (None, content.reader().token):
        items = related(api, token=token, post_id=free["id"], limit=5).json["items"]
        assert premium["id"] not in [i["post_id"] for i in items]
        assert "zanzibarite" not in str(items).lower()
        assert related(api, token=token, q="sorting spills to disk").json["items"][0]["post_id"] != premium["id"]
        # Related reading of a premium post is public: other posts only, nothing of its body.
        around = related(api, token=token, post_id=premium["id"]).json["items"]
        assert premium["id"] not in [i["post_id"] for i in around]
    subscriber = content.reader(premium=True)
    items = related(api, token=subscriber.token, q="sorting spills to disk").json["items"]
    assert items[0]["post_id"] == premium["id"]


def test_related_bad_input(api, content, drain):
    draft = content.post("Draft", status="draft")
    assert related(api, post_id=draft["id"]).status == 404
    assert related(api, post_id=999999).status == 404
    for params in ({}, {"post_id": 1, "q": "x"}, {"post_id": "abc"}, {"q": "x", "limit": 21}, {"q": ""}):
        reply = related(api, **params)
        assert reply.status == 422, (params, reply.text)
        assert reply.json["detail"][0]["loc"][0] == "query"
