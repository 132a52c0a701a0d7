"""Premium gating: the one place that decides what a caller sees of a post.

Rule. A post is *locked* for a caller when the post is premium and the caller has no full
access. Full access means an admin, or a signed-in user with an active subscription
(``CurrentUser.is_premium``); anonymous callers never have it. For a locked post:

- ``content`` is replaced by a preview: the opening section, at most ``PREVIEW_WORDS`` words and
  never more than a third of the body;
- only the excerpt (an author-written public teaser) may be quoted anywhere else: search
  snippets, feed entries, recommendation blurbs, RAG citations;
- full-text matching (search, the posts list's ``q``) sees only its title and excerpt
  (``posts.public_search_vector``): ``text_match_sql`` is the one condition both use.

Every path that shows post text calls ``gate`` on the row before it leaves the service, and
reads ``quotable_field`` to choose the column a snippet may come from. Non-premium posts pass
through unchanged (with ``locked: False``).

    from layers.services import premium

    full = premium.has_full_access(viewer)
    row = premium.gate(row, full)            # row needs "is_premium"; "content" is optional
    column = premium.quotable_field(row)     # "content" or "excerpt"
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from layers.core.identity import CurrentUser

PREVIEW_WORDS = 60
PREVIEW_SHARE = 3  # a preview shows at most 1/PREVIEW_SHARE of the body's words


# ``websearch_to_tsquery('english', %(q)s)`` against posts aliased ``p``. Without full access a
# premium post is matched on ``public_search_vector`` (title and excerpt); each arm of the OR has
# its own GIN index.
_QUERY = "websearch_to_tsquery('english', %(q)s)"
_FULL_MATCH = f"p.search_vector @@ {_QUERY}"
_PUBLIC_MATCH = (f"((NOT p.is_premium AND p.search_vector @@ {_QUERY})"
                 f" OR (p.is_premium AND p.public_search_vector @@ {_QUERY}))")
_PUBLIC_VECTOR = "CASE WHEN p.is_premium THEN p.public_search_vector ELSE p.search_vector END"


def has_full_access(user: CurrentUser | None) -> bool:
    """True for admins and premium subscribers; anonymous callers never have it."""
    return user is not None and bool(user.is_admin or user.is_premium)


def text_match_sql(full_access: bool) -> str:
    """The WHERE condition matching ``%(q)s`` against posts ``p`` as this caller may search them."""
    return _FULL_MATCH if full_access else _PUBLIC_MATCH


def searched_vector_sql(full_access: bool) -> str:
    """The tsvector of posts ``p`` that ``text_match_sql`` matched, for ranking."""
    return "p.search_vector" if full_access else _PUBLIC_VECTOR


def is_locked(post: Mapping[str, Any], full_access: bool) -> bool:
    return bool(post.get("is_premium")) and not full_access


def gate(post: Mapping[str, Any], full_access: bool) -> dict[str, Any]:
    """A copy of ``post`` as this caller may see it, with ``locked`` set.

    A locked post's ``content`` (when the row has one) becomes its preview; nothing else of the
    body survives in the returned row.
    """
    from layers.services.chunking import preview, word_count

    out = dict(post)
    out["locked"] = is_locked(post, full_access)
    if out["locked"] and "content" in out:
        body = out["content"] or ""
        # Never more than a third of the body: a short post must not fit whole in its preview.
        out["content"] = preview(body, min(PREVIEW_WORDS, word_count(body) // PREVIEW_SHARE))
    return out


def quotable_field(gated: Mapping[str, Any]) -> Literal["content", "excerpt"]:
    """The column a snippet of a gated row may quote: the body only when it is not locked."""
    if "locked" not in gated:
        raise ValueError("quotable_field needs a row returned by gate()")
    return "excerpt" if gated["locked"] else "content"
