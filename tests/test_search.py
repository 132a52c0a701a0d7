"""Full-text search: ranking, snippets, odd input."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.support.content import content


def _search(api, q, token=None, **params):
    extra = "".join(f"&{k}={v}" for k, v in params.items())
    return api.get(f"/api/search?q={quote(q)}{extra}", token=token)


def test_title_outranks_excerpt_outranks_body(api, content):
    body = content.post("Plain post", content="Notes that mention vacuum once.", excerpt="Other things.")
    excerpt = content.post("Another post", excerpt="All about vacuum.", content="Unrelated text.")
    title = content.post("Vacuum explained", excerpt="Housekeeping.", content="Unrelated text.")
    content.post("Unrelated", content="Nothing to see.")
    reply = _search(api, "vacuum")
    assert reply.status == 200, reply.text
    assert [h["slug"] for h in reply.json["items"]] == [title["slug"], excerpt["slug"], body["slug"]]
    assert reply.json["total"] == 3
    ranks = [h["rank"] for h in reply.json["items"]]
    assert ranks == sorted(ranks, reverse=True) and ranks[-1] > 0


def test_hits_have_the_post_shape_and_a_marked_snippet(api, content):
    content.post("Tuning", content="Autovacuum settings decide when dead tuples are reclaimed by vacuum.")
    hit = _search(api, "vacuum").json["items"][0]
    assert {"id", "slug", "title", "excerpt", "tags", "author", "locked", "rank", "snippet"} <= set(hit)
    assert "content" not in hit
    assert "<mark>vacuum</mark>" in hit["snippet"]


def test_only_published_posts_are_found(api, content):
    content.post("Draft about zeppelins", status="draft")
    assert _search(api, "zeppelins").json == {"items": [], "total": 0, "page": 1, "page_size": 20}
    assert _search(api, "zeppelins", token=content.token).json["items"] == []


def test_snippet_escapes_html_in_the_post(api, content):
    content.post("Markup", content="The widget <script>alert('x')</script> renders a & b <b>widget</b> text.")
    snippet = _search(api, "widget").json["items"][0]["snippet"]
    assert "<mark>widget</mark>" in snippet
    without_marks = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in without_marks and ">" not in without_marks
    assert "a &amp; b" in snippet


def test_web_search_syntax(api, content):
    content.post("Redis streams", content="Consumer groups read streams.")
    content.post("Kafka streams", content="Partitions and consumer lag.")
    slugs = lambda q: sorted(h["slug"] for h in _search(api, q).json["items"])  # noqa: E731
    assert slugs('"redis streams"') == ["redis-streams"]
    assert slugs("streams -kafka") == ["redis-streams"]
    assert slugs("redis or kafka") == ["kafka-streams", "redis-streams"]


@pytest.mark.parametrize("q", ['"', '"unbalanced', "-", "--", "!", "&&", "a | b", "(((", "'; DROP TABLE posts;--",
                               "\\", ":*", "über", "日本語", "🙂", "the", "or", "<b>", "a" * 200, "%", "_"])
def test_odd_queries_never_error(api, content, q):
    content.post("Anything", content="Some text about über things and 日本語.")
    reply = _search(api, q)
    assert reply.status == 200, reply.text


@pytest.mark.parametrize("query", ["", "q=", "q=%20%20", "q=" + "a" * 201, "q=%00", "q=a&page=0", "q=a&page_size=101",
                                   "q=a&page=x"])
def test_bad_queries_are_422(api, query):
    reply = api.get(f"/api/search?{query}")
    assert reply.status == 422, reply.text
    assert reply.json["detail"][0]["loc"][0] == "query"


def test_pagination(api, content):
    for i in range(5):
        content.post(f"Lantern {i}")
    page = _search(api, "lantern", page=2, page_size=2).json
    assert page["total"] == 5 and len(page["items"]) == 2
    assert _search(api, "lantern", page=9, page_size=2).json["items"] == []


# ---- chunks for the search index ----------------------------------------------------------

def test_chunks_follow_headings_and_stay_under_200_words():
    from layers.services.chunking import chunks, word_count

    long_paragraph = " ".join(f"word{i}" for i in range(450))
    markdown = (f"Intro text.\n\n## Setup\n\n{long_paragraph}\n\n```bash\n# not a heading\nls -la\n```\n\n"
                "### Empty heading\n\n## Wrap-up\n\nShort ending.")
    pieces = chunks(markdown)
    assert [p.heading for p in pieces] == ["", "Setup", "Setup", "Setup", "Wrap-up"]
    assert all(word_count(p.content) <= 200 for p in pieces)
    assert "# not a heading" in pieces[3].content  # a comment in a code block is not a heading
    joined = " ".join(p.content for p in pieces if p.heading == "Setup")
    assert joined.split()[:450] == long_paragraph.split()


def test_small_paragraphs_are_packed_together():
    from layers.services.chunking import chunks

    markdown = "\n\n".join(f"Paragraph {i} has five words." for i in range(10))
    assert len(chunks(markdown)) == 1
    assert chunks("") == [] and chunks("## Only a heading") == []
