"""Search and Ask AI over the posts' retrieval chunks (``rag_chunks``).

- ``indexing``: fills the chunks' vectors (on publish, through ``embed_post``; the backfill job);
- ``query_cache``: query vectors cached in Redis for five minutes;
- ``retrieval``: the full-text and vector rankings and their reciprocal rank fusion;
- ``hybrid_search``, ``ask``, ``related``: what the routers call.

Gating is the same everywhere: a caller without full access (``premium.has_full_access``) is
never given a premium chunk, so no answer, source, snippet or related item can quote a premium
body to them; premium posts still match such a caller on their title and excerpt. Whether a chunk
is premium, or still published, is read from its post in the same query (``retrieval.VISIBLE``),
so a post made premium or unpublished stops being served at once, before its chunks are rebuilt.
"""
