"""The OpenAPI document's words: whole summaries, names that say what they take, numbers from the code."""
from __future__ import annotations

import re

import pytest

from layers.http.docstrings import described, first_sentence
from tests.support.content import content


@pytest.fixture
def doc(api):
    return api.get("/api/openapi.json").json


def _operations(doc):
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            yield method.upper(), path, op


def test_a_summary_is_the_whole_first_sentence_and_the_description_is_kept(doc):
    for method, path, op in _operations(doc):
        summary, description = op["summary"], op.get("description", "")
        assert summary and "``" not in summary and "`" not in summary, (method, path, summary)
        flat = " ".join(description.replace("`", "").split())
        assert flat.startswith(summary), (method, path, summary)
        rest = flat[len(summary):]
        assert not rest or rest[0] in ".!?;", f"{method} {path}: summary cut mid-sentence: {summary!r}"


def test_first_sentence_ignores_periods_in_code_and_parentheses():
    assert first_sentence("Run Python 3.12 (e.g. `print(1.5)`). Then more.") == "Run Python 3.12 (e.g. print(1.5))"
    assert first_sentence("One line\nwrapped over two; the rest.\n\nMore.") == "One line wrapped over two"


def test_described_fills_from_values_and_refuses_an_unused_one():
    def handler() -> None:
        """Earns {xp} XP; the key is ``uploads/{user_id}`` and the body ``{}``."""

    assert described(xp=10)(handler).__doc__ == "Earns 10 XP; the key is ``uploads/{user_id}`` and the body ``{}``."
    with pytest.raises(TypeError, match="no placeholder"):
        described(xp=10, gone=1)(handler)


def test_the_level_rule_in_the_document_is_the_code_s(doc):
    from layers.services.gamification import levels
    from layers.services.progress import READ_XP

    read = doc["paths"]["/api/progress/{post_id}/read"]["post"]["description"]
    assert "1 + xp // 100" not in read and f"earns {READ_XP} XP" in read
    step = int(re.search(r"starts at (\d+)·\*n\*·\(\*n\*−1\) XP", read).group(1))
    assert all(step * n * (n - 1) == levels.xp_for_level(n) for n in range(1, 50))
    for level, xp in re.findall(r"(\d+) at ([\d,]+)", read):
        assert levels.xp_for_level(int(level)) == int(xp.replace(",", ""))
    assert levels.level_for(230) == 2  # the example a newcomer checked against the old wording
    me = doc["paths"]["/api/gamification/me"]["get"]["description"]
    assert levels.describe() in me


def test_limits_in_the_document_are_the_settings_and_rules_in_force(doc):
    from layers.core.pagination import MAX_PAGE_SIZE
    from layers.core.settings import Settings
    from layers.services.uploads import MB, RULES

    assert f"at most {MAX_PAGE_SIZE})" in doc["info"]["description"]
    assert Settings.model_fields["rate_limit_anon"].default in doc["info"]["description"]
    code = doc["paths"]["/api/code/execute"]["post"]["description"]
    assert f"{Settings.model_fields['code_timeout_seconds'].default:g} s (`CODE_TIMEOUT_SECONDS`)" in code
    for kind, rule in RULES.items():
        upload = doc["paths"][f"/api/uploads/{kind}"]["post"]["description"]
        assert f"at most {rule.max_bytes // MB} MB" in upload
        assert all(content_type in upload for content_type in rule.extensions)


def test_slug_or_id_path_variables_have_a_neutral_name_described_per_method(doc):
    for path in ("/api/posts/{post_ref}", "/api/series/{series_ref}"):
        get, patch = doc["paths"][path]["get"], doc["paths"][path]["patch"]
        (slug,), (ident,) = get["parameters"], patch["parameters"]
        assert slug["schema"]["type"] == "string" and "`slug`" in slug["description"]
        assert ident["schema"]["type"] == "integer" and "`id`" in ident["description"]
    names = {p["name"] for _, path, op in _operations(doc) for p in op["parameters"] if p["in"] == "path"
             if path.startswith(("/api/posts/{", "/api/series/{"))}
    assert names == {"post_ref", "series_ref"}
    (bookmark,) = doc["paths"]["/api/bookmarks/{post_id}"]["get"]["parameters"]
    assert bookmark["description"] == "The post's integer `id`."


def test_an_id_sent_where_the_slug_goes_answers_a_404_that_says_so(api, content):
    post = content.post("Indexes", slug="indexes", status="published")
    series = content.series("Basics", slug="basics")
    reply = api.get(f"/api/posts/{post['id']}")
    assert reply.status == 404 and "takes the post's slug, not its id" in reply.json["detail"]
    assert api.get("/api/posts/indexes").status == 200
    assert api.get("/api/posts/no-such-post").json["detail"] == "post not found"
    reply = api.get(f"/api/series/{series['id']}")
    assert reply.status == 404 and "slug, not its id" in reply.json["detail"]
    assert "slug, not its id" in api.get(f"/api/series/{series['id']}/navigation?post=indexes").json["detail"]
