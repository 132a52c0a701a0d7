"""Hybrid search: indexing through the worker, fusion, meaning without shared words, gating, the
query-vector cache and bad input."""
from __future__ import annotations

from layers.adapters.minilm import MODEL_ID
from tests.support.content import content, db_rows
from tests.support.rag import BREAD, GARDEN, INDEXES, hashed, hybrid, minilm, semantic

__all__ = ["content", "hashed", "minilm", "semantic"]


def _post(content, subject, **fields):
    title, body = subject
    return content.post(title, content=body, excerpt=fields.pop("excerpt", "A short note."), **fields)


def _chunks(post_id):
    return db_rows("SELECT embedding IS NOT NULL, embedding_model FROM rag_chunks WHERE post_id = %s", post_id)


def test_publishing_fills_the_vectors_through_the_worker(api, content, drain, semantic):
    post = _post(content, INDEXES, status="draft")
    drain()
    assert _chunks(post["id"]) == []
    content.publish_toggle(post["id"])
    drain()
    assert _chunks(post["id"]) == [(True, MODEL_ID)]
    content.patch(post["id"], content=INDEXES[1] + "\n\n## More\n\nComposite indexes serve several columns.")
    drain()
    assert _chunks(post["id"]) == [(True, MODEL_ID), (True, MODEL_ID)]
    content.publish_toggle(post["id"])  # unpublished: its chunks go, and search never serves them
    drain()
    assert _chunks(post["id"]) == []
    assert hybrid(api, "indexes").json["items"] == []


def test_a_question_sharing_no_word_with_a_post_finds_it(api, content, drain, semantic):
    for subject in (INDEXES, BREAD, GARDEN):
        _post(content, subject)
    drain()
    question = "how do I speed up slow database queries"
    assert api.get("/api/search?q=" + question.replace(" ", "+")).json["total"] == 0  # no shared word
    reply = hybrid(api, question)
    assert reply.status == 200, reply.text
    assert [hit["title"] for hit in reply.json["items"]] == [INDEXES[0]]
    assert reply.json["total"] == 1
    hit = reply.json["items"][0]
    assert {"id", "slug", "title", "snippet", "score", "locked"} <= set(hit)
    assert hit["score"] > 0 and "B-tree" in hit["snippet"]


def test_fusion_ranks_a_post_found_both_ways_first_and_keeps_the_others(api, content, drain, semantic):
    both = content.post("Storing passwords safely", excerpt="Hashing.",
                        content="Keep passwords safe: hash every password with Argon2 before it reaches the database.")
    meaning = content.post("Protecting user credentials", excerpt="Secrets.",
                           content="Never store a user's secret in clear text; run it through a slow, salted "
                                   "hash such as bcrypt so a stolen dump reveals nothing.")
    words = content.post("Backup checklist", excerpt="Operations.",
                         content="Keeping the database safe from disk failure means nightly backups; the "
                                 "passwords for the backup bucket live in the vault.")
    _post(content, BREAD)
    drain()
    reply = hybrid(api, "keeping passwords safe in the database")
    ids = [hit["id"] for hit in reply.json["items"]]
    assert ids[0] == both["id"]
    assert set(ids) == {both["id"], meaning["id"], words["id"]}
    scores = [hit["score"] for hit in reply.json["items"]]
    assert scores == sorted(scores, reverse=True)


def test_pages_slice_the_fused_ranking(api, content, drain, semantic):
    for n in range(3):
        content.post(f"Tomato variety {n}", content=GARDEN[1], excerpt="Tomatoes.")
    drain()
    everything = hybrid(api, "growing tomatoes").json
    assert everything["total"] == 3
    second = hybrid(api, "growing tomatoes", page=2, page_size=2).json
    assert second["page"] == 2 and second["total"] == 3
    assert [h["id"] for h in second["items"]] == [everything["items"][2]["id"]]


def test_premium_body_words_never_reach_a_caller_without_a_subscription(api, content, drain, semantic):
    secret = "Quokkabyte tuning: set the shared buffers to a quarter of memory for faster database queries."
    premium = content.post("Memory settings", content=secret, excerpt="Paid deep dive.", is_premium=True)
    drain()
    reader, subscriber = content.reader(), content.reader(premium=True)
    for token in (None, reader.token):
        assert hybrid(api, "quokkabyte", token=token).json["items"] == []
        for hit in hybrid(api, "making database queries faster with memory", token=token).json["items"]:
            assert "quokkabyte" not in str(hit).lower() and "quarter" not in hit["snippet"]
        found = hybrid(api, "memory settings", token=token).json["items"]
        assert [(h["id"], h["locked"]) for h in found] == [(premium["id"], True)]
        assert found[0]["snippet"] == "Paid deep dive."
    unlocked = hybrid(api, "quokkabyte", token=subscriber.token).json["items"]
    assert [(h["id"], h["locked"]) for h in unlocked] == [(premium["id"], False)]
    assert "<mark>Quokkabyte</mark>" in unlocked[0]["snippet"]


def test_query_vectors_are_cached_for_five_minutes(api, content, drain, hashed):
    _post(content, GARDEN)
    drain()
    hashed.calls.clear()
    for _ in range(3):
        assert hybrid(api, "tomato plants").json["total"] == 1
    assert hashed.calls == [["tomato plants"]]
    from layers.core.cache import get_redis

    (key,) = get_redis().keys("qvec:*")
    assert key.startswith(f"qvec:{hashed.model_id}:") and 0 < get_redis().ttl(key) <= 300


def test_with_redis_down_the_cache_just_misses(api, content, drain, hashed, settings_env):
    _post(content, GARDEN)
    drain()
    settings_env(REDIS_URL="redis://127.0.0.1:9/0")
    hashed.calls.clear()
    for _ in range(2):
        reply = hybrid(api, "tomato plants")
        assert reply.status == 200, reply.text
        assert reply.json["total"] == 1
    assert hashed.calls == [["tomato plants"], ["tomato plants"]]


def test_bad_input_is_a_422(api):
    for query, loc in (("", "q"), ("q=", "q"), ("q=" + "x" * 301, "q"), ("q=a&page_size=101", "page_size"),
                       ("q=a&page=0", "page"), ("q=%00", "q")):
        reply = api.get(f"/api/search/hybrid?{query}")
        assert reply.status == 422, (query, reply.text)
        assert reply.json["detail"][0]["loc"] == ["query", loc]


def test_a_post_without_vectors_yet_is_still_found_by_its_words(api, content, drain, hashed):
    from layers import bootstrap

    with bootstrap.override(embeddings=_Unavailable(hashed.model_id)):
        post = _post(content, GARDEN)
        drain()
    assert _chunks(post["id"]) == [(False, None)]
    assert [h["id"] for h in hybrid(api, "tomato plants").json["items"]] == [post["id"]]
    run = api.post("/api/admin/tasks/embedding_backfill/run", token=content.token)
    assert run.status == 200, run.text
    assert run.json["outcome"] == "succeeded" and run.json["counts"] == {"embedded": 1, "remaining": 0}
    assert _chunks(post["id"]) == [(True, hashed.model_id)]


def test_without_the_embedding_provider_search_and_ask_fall_back_to_words(api, content, drain, hashed):
    from layers import bootstrap
    from tests.support.rag import ask

    post = _post(content, GARDEN)
    _post(content, BREAD)
    drain()
    with bootstrap.override(embeddings=_Unavailable(hashed.model_id)):
        reply = hybrid(api, "tomato plants")
        assert reply.status == 200, reply.text
        assert [h["id"] for h in reply.json["items"]] == [post["id"]]
        assert hybrid(api, "plants that grow in water").json["items"] == []  # not every word: no hit
        answer = ask(api, "tomato plants", content.reader().token)
        assert answer.status == 200 and [s["post_id"] for s in answer.json["sources"]] == [post["id"]]


def test_a_change_of_model_re_embeds_through_the_backfill(api, content, drain, hashed):
    from layers import bootstrap
    from layers.adapters.hash_embeddings import HashEmbeddings

    post = _post(content, GARDEN)
    _post(content, BREAD, status="draft")  # drafts have no chunks to embed
    drain()

    class NextModel(HashEmbeddings):
        model_id = "hash-384-v2"

    with bootstrap.override(embeddings=NextModel()):
        run = api.post("/api/admin/tasks/embedding_backfill/run", token=content.token).json
        assert run["counts"] == {"embedded": 1, "remaining": 0}
        assert _chunks(post["id"]) == [(True, "hash-384-v2")]
        assert [h["id"] for h in hybrid(api, "tomato plants").json["items"]] == [post["id"]]


class _Unavailable:
    """An embedding provider that is down (a hosted API unreachable, the model not installed)."""

    dimensions = 384

    def __init__(self, model_id):
        self.model_id = model_id

    def embed(self, texts):
        from layers.core.errors import DependencyUnavailable

        raise DependencyUnavailable("the hosted model is unavailable")


def test_odd_queries_are_answered_not_failed(api, content, drain, hashed):
    from tests.support.rag import ask

    _post(content, INDEXES)
    drain()
    token = content.reader().token
    for q in ("the of", "'", "it's", "a & b | !c", "b-tree", "::*", "\"quoted phrase\" -minus", "üñíçødé 🙂",
              "OR", "<->", "w" * 300):
        reply = hybrid(api, q)
        assert reply.status == 200, (q, reply.text)
        answer = ask(api, q if len(q) >= 3 else q + "???", token)
        assert answer.status == 200, (q, answer.text)
    assert [h["title"] for h in hybrid(api, "b-tree").json["items"]] == [INDEXES[0]]
