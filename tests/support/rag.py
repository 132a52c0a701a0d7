"""Embedding models for the search and Ask AI tests: the real one (loaded once) and a fake."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest


@pytest.fixture(scope="session")
def minilm() -> Any:
    """The real offline model, loaded once per test session."""
    from layers.adapters.minilm import MiniLmEmbeddings

    model = MiniLmEmbeddings()
    model.load()
    return model


@pytest.fixture
def semantic(minilm: Any) -> Iterator[Any]:
    """The real model for indexing, queries and answers (whatever the settings say)."""
    from layers import bootstrap
    from layers.adapters.answers import ExtractiveAnswers

    with bootstrap.override(embeddings=minilm, answers=ExtractiveAnswers(minilm)):
        yield minilm


@pytest.fixture
def hashed() -> Iterator[Any]:
    """A deterministic fake that records every batch it embeds."""
    from layers import bootstrap
    from layers.adapters.answers import ExtractiveAnswers
    from layers.adapters.hash_embeddings import HashEmbeddings

    fake = HashEmbeddings()
    with bootstrap.override(embeddings=fake, answers=ExtractiveAnswers(fake)):
        yield fake


def hybrid(api: Any, q: str, token: str | None = None, **params: Any) -> Any:
    return api.get("/api/search/hybrid?" + urlencode({"q": q, **params}), token=token)


def related(api: Any, token: str | None = None, **params: Any) -> Any:
    return api.get("/api/rag/related?" + urlencode(params), token=token)


def ask(api: Any, question: str, token: str | None) -> Any:
    return api.post("/api/rag/ask", {"question": question}, token=token)


# Posts whose subjects are far apart, written so that questions about them can avoid their words.
INDEXES = ("Understanding B-tree indexes",
           "A B-tree index lets PostgreSQL locate matching rows without reading the whole table. "
           "Create one on the columns your WHERE clauses filter on, and lookups that scanned millions "
           "of rows finish in milliseconds.")
BREAD = ("Baking sourdough bread",
         "Feed the starter the night before, mix flour, water and salt, then let the dough rise slowly "
         "in a cool kitchen. Bake it in a hot covered pot so the crust turns crisp and brown.")
GARDEN = ("Growing tomatoes on a balcony",
          "Tomato plants want six hours of sun, a deep pot and regular watering. Pinch off the side "
          "shoots so the plant puts its energy into fruit.")
