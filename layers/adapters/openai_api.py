"""Hosted embeddings and answers through the OpenAI HTTP API (or any server speaking it).

Used only when configured (``EMBEDDINGS_PROVIDER=openai`` / ``ANSWERS_PROVIDER=openai`` with
``OPENAI_API_KEY``); plain ``urllib``, so no SDK is shipped for an optional provider. Failures
become ``DependencyUnavailable`` (503 on a request, a retry for a task) and never carry the key.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from layers.core.errors import DependencyUnavailable
from layers.core.logging import get_logger
from layers.core.ports import Answer, Passage
from layers.core.settings import Settings

log = get_logger("adapters.openai")
TIMEOUT_SECONDS = 20
DIMENSIONS = 384  # the rag_chunks column; text-embedding-3 models shorten their vectors on request



def client_from_settings(settings: Settings, setting: str) -> OpenAIClient:
    """The client a provider configured as ``<setting>=openai`` uses; 503 without a key."""
    if settings.openai_api_key is None:
        raise DependencyUnavailable(f"{setting}=openai needs OPENAI_API_KEY")
    return OpenAIClient(settings.openai_api_key.get_secret_value(), settings.openai_base_url)

class OpenAIClient:
    def __init__(self, api_key: str, base_url: str) -> None:
        self._key = api_key
        self._base = base_url.rstrip("/")

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self._base}/{path}", data=json.dumps(body).encode(), method="POST",
            headers={"Authorization": f"Bearer {self._key}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                result: dict[str, Any] = json.load(response)
                return result
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            log.warning("hosted model call failed", extra={"path": path, "error": type(exc).__name__})
            raise DependencyUnavailable("the hosted model is unavailable", retry_after=30) from exc


class OpenAIEmbeddings:
    dimensions = DIMENSIONS

    def __init__(self, client: OpenAIClient, model: str) -> None:
        self._client = client
        self._model = model

    @property
    def model_id(self) -> str:
        return f"openai:{self._model}:{DIMENSIONS}"

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        reply = self._client.post("embeddings", {"model": self._model, "input": list(texts),
                                                 "dimensions": DIMENSIONS})
        ordered = sorted(reply["data"], key=lambda item: item["index"])
        return [_unit(item["embedding"]) for item in ordered]


def _unit(vector: list[float]) -> list[float]:
    norm = sum(x * x for x in vector) ** 0.5 or 1.0
    return [x / norm for x in vector]


_INSTRUCTIONS = (
    "Answer the question using only the numbered passages from a technical blog. Cite every claim "
    "with the passage's number in square brackets, like [2]. If the passages do not answer the "
    "question, say so in one sentence and cite nothing.")


class OpenAIAnswers:
    def __init__(self, client: OpenAIClient, model: str) -> None:
        self._client = client
        self._model = model

    def answer(self, question: str, passages: Sequence[Passage]) -> Answer:
        context = "\n\n".join(f"[{n}] {p.title}\n{p.text}" for n, p in enumerate(passages, 1))
        reply = self._client.post("chat/completions", {
            "model": self._model, "temperature": 0,
            "messages": [{"role": "system", "content": _INSTRUCTIONS},
                         {"role": "user", "content": f"Passages:\n{context}\n\nQuestion: {question}"}],
        })
        text = str(reply["choices"][0]["message"]["content"]).strip()
        cited = [p.chunk_id for n, p in enumerate(passages, 1) if f"[{n}]" in text]
        return Answer(text=text, cited_chunk_ids=cited, extractive=False)
