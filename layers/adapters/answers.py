"""Answer generators: an offline extractive default, and a hosted model when configured.

The extractive generator writes nothing of its own: it quotes the retrieved passages' sentences
that best match the question, each followed by the number of the source it came from (``[2]``),
and says that it is extractive. Sentences are scored by their similarity to the question under
the embedding model when one is given (so a paraphrase still finds the right sentence), plus the
words they share with it, plus the rank of their passage; without a model, by words and rank.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from layers.core.errors import DependencyUnavailable
from layers.core.logging import get_logger
from layers.core.ports import Answer, AnswerGenerator, Embeddings, Passage
from layers.core.settings import get_settings

log = get_logger("adapters.answers")

NO_ANSWER = ("I could not find anything about this in the published posts, so there is no answer "
             "to quote. Try rephrasing the question or searching for a related topic.")
PREFACE = "Extractive answer, quoted from the posts below (not written by a language model):"
MAX_SENTENCES = 3
MAX_PER_PASSAGE = 2
MIN_WORDS, MAX_WORDS = 5, 60
_FENCED = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1[^\n]*$", re.MULTILINE | re.DOTALL)
_LINE_PREFIX = re.compile(r"^[ \t]*(?:[-*+>]|\d+[.)]|#{1,6})[ \t]+", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(`])")
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset("a an and are as at be by can do does for from how i in is it its my of on or so that the "
                  "this to was what when where which who why will with you your".split())


@dataclass(frozen=True)
class _Sentence:
    passage: int  # index into the passages
    position: int
    text: str


def sentences(text: str) -> list[str]:
    """Prose sentences of a markdown chunk: code blocks, list markers and emphasis removed."""
    prose = _LINE_PREFIX.sub("", _FENCED.sub(" ", text)).replace("**", "").replace("__", "")
    found = []
    for paragraph in re.split(r"\n\s*\n", prose):
        for sentence in _SENTENCE_END.split(" ".join(paragraph.split())):
            words = sentence.split()
            # A sentence ending in a colon introduced a code block or list that is not quoted.
            if len(words) >= MIN_WORDS and not sentence.endswith(":"):
                found.append(" ".join(words[:MAX_WORDS]) + (" …" if len(words) > MAX_WORDS else ""))
    return found


class ExtractiveAnswers:
    def __init__(self, embeddings: Embeddings | None = None, max_sentences: int = MAX_SENTENCES) -> None:
        self._embeddings = embeddings
        self._max = max_sentences

    def answer(self, question: str, passages: Sequence[Passage]) -> Answer:
        candidates = [_Sentence(i, j, s) for i, p in enumerate(passages) for j, s in enumerate(sentences(p.text))]
        if not candidates:
            return Answer(NO_ANSWER, [], extractive=True)
        scores = self._scores(question, candidates)
        chosen = _pick(candidates, scores, self._max)
        parts = [f"{c.text} [{c.passage + 1}]" for c in chosen]
        cited = list(dict.fromkeys(passages[c.passage].chunk_id for c in chosen))
        return Answer(f"{PREFACE} " + " ".join(parts), cited, extractive=True)

    def _scores(self, question: str, candidates: list[_Sentence]) -> list[float]:
        asked = _terms(question)
        semantic = self._similarities(question, [c.text for c in candidates])
        scores = []
        for c, similarity in zip(candidates, semantic, strict=True):
            overlap = len(asked & _terms(c.text)) / math.sqrt(len(asked) or 1)
            scores.append(similarity + 0.15 * overlap + 0.1 / (1 + c.passage) - 0.01 * c.position)
        return scores

    def _similarities(self, question: str, texts: list[str]) -> list[float]:
        if self._embeddings is None:
            return [0.0] * len(texts)
        try:
            vectors = self._embeddings.embed([question, *texts])
        except DependencyUnavailable:
            log.warning("sentence scoring without the embedding model")
            return [0.0] * len(texts)
        q = vectors[0]
        return [sum(a * b for a, b in zip(q, v, strict=True)) for v in vectors[1:]]


def _terms(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1}


def _pick(candidates: list[_Sentence], scores: list[float], limit: int) -> list[_Sentence]:
    """The best sentences, at most ``MAX_PER_PASSAGE`` from one passage, in reading order."""
    chosen: list[_Sentence] = []
    per_passage: dict[int, int] = {}
    for _score, c in sorted(zip(scores, candidates, strict=True), key=lambda pair: -pair[0]):
        if per_passage.get(c.passage, 0) < MAX_PER_PASSAGE and c.text not in {x.text for x in chosen}:
            chosen.append(c)
            per_passage[c.passage] = per_passage.get(c.passage, 0) + 1
        if len(chosen) == limit:
            break
    return sorted(chosen, key=lambda c: (c.passage, c.position))


def from_settings() -> AnswerGenerator:
    settings = get_settings()
    if settings.answers_provider == "openai":
        from layers.adapters.openai_api import OpenAIAnswers, client_from_settings

        return OpenAIAnswers(client_from_settings(settings, "ANSWERS_PROVIDER"), settings.openai_answer_model)
    from layers.adapters import embeddings

    return ExtractiveAnswers(embeddings.from_settings())
