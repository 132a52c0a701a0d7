"""Full-text search over published posts.

The query is parsed with ``websearch_to_tsquery('english', q)``, which accepts any input (quotes,
``or``, ``-word``, stray punctuation) without raising. Posts match on ``posts.search_vector``
(title weighted A, excerpt B, body C) and are ranked with ``ts_rank_cd``.

A caller without full access (``premium.has_full_access``) matches premium posts on their title
and excerpt only (``premium.text_match_sql``), so a search cannot reveal words of a paid body.

Snippets come from ``ts_headline`` over the column ``premium.quotable_field`` allows: the body,
or only the excerpt when the post is locked for the caller. Headlines are computed for the page's
posts only, in one query. Matches are marked with private-use characters inside PostgreSQL and
turned into ``<mark>`` after the text is HTML-escaped, so a post's own markup can never reach a
client as HTML.
"""
from __future__ import annotations

import html
from typing import Any

from layers.core.db import Db
from layers.core.pagination import paginate
from layers.schemas.search import SearchQuery
from layers.services import premium
from layers.services.posts import queries

_START, _STOP = "\ue000", "\ue001"
_HEADLINE_OPTIONS = f"StartSel={_START}, StopSel={_STOP}, MaxWords=35, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \""


def _ranked_sql(full_access: bool) -> str:
    return (f"SELECT p.id, ts_rank_cd({premium.searched_vector_sql(full_access)},"
            " websearch_to_tsquery('english', %(q)s)) AS rank"
            f" FROM posts p WHERE p.status = 'published' AND {premium.text_match_sql(full_access)}")


def search(conn: Db, query: SearchQuery, full_access: bool) -> dict[str, Any]:
    page = paginate(conn, _ranked_sql(full_access), {"q": query.q}, query, "rank DESC, id DESC")
    ranks = {r["id"]: r["rank"] for r in page["items"]}
    posts = queries.published_by_ids(conn, list(ranks))
    hits = [premium.gate(posts[i], full_access) for i in ranks if i in posts]
    snippets = _snippets(conn, query.q, hits)
    page["items"] = [{**hit, "rank": float(ranks[hit["id"]]), "snippet": snippets.get(hit["id"], "")}
                     for hit in hits]
    return page


def _snippets(conn: Db, q: str, hits: list[dict[str, Any]]) -> dict[int, str]:
    if not hits:
        return {}
    # Ids whose body may be quoted; every other post is quoted from its excerpt only.
    body_ok = [h["id"] for h in hits if premium.quotable_field(h) == "content"]
    rows = conn.execute(
        "SELECT p.id, ts_headline('english',"
        " CASE WHEN p.id = ANY(%(body_ok)s) THEN p.content ELSE p.excerpt END,"
        " websearch_to_tsquery('english', %(q)s), %(options)s) AS snippet"
        " FROM posts p WHERE p.id = ANY(%(ids)s)",
        {"body_ok": body_ok, "q": q, "options": _HEADLINE_OPTIONS, "ids": [h["id"] for h in hits]},
    ).fetchall()
    return {r["id"]: _marked(r["snippet"]) for r in rows}


def _marked(text: str) -> str:
    escaped = html.escape(" ".join(text.split()), quote=False)
    return escaped.replace(_START, "<mark>").replace(_STOP, "</mark>")
