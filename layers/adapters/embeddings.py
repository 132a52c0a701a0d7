"""The embeddings provider the settings name (``EMBEDDINGS_PROVIDER``).

- ``local`` (default): all-MiniLM-L6-v2 int8, run offline (``layers.adapters.minilm``);
- ``openai``: a hosted model, 384-dimensional vectors (``layers.adapters.openai_api``);
- ``hash``: a deterministic stand-in without semantics (``layers.adapters.hash_embeddings``).

Each vector is stored with the provider's ``model_id``; switching providers re-embeds (the
``embedding_backfill`` job picks up every chunk whose model id differs).
"""
from __future__ import annotations

from layers.core.ports import Embeddings
from layers.core.settings import get_settings


def from_settings() -> Embeddings:
    settings = get_settings()
    if settings.embeddings_provider == "hash":
        from layers.adapters.hash_embeddings import HashEmbeddings

        return HashEmbeddings()
    if settings.embeddings_provider == "openai":
        from layers.adapters.openai_api import OpenAIEmbeddings, client_from_settings

        return OpenAIEmbeddings(client_from_settings(settings, "EMBEDDINGS_PROVIDER"), settings.openai_embedding_model)
    from layers.adapters.minilm import MiniLmEmbeddings

    return MiniLmEmbeddings(settings.embedding_tokenizer_path)
