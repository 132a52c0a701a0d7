"""Interview grading offline: key points matched by meaning (embeddings) and by words.

For every key point the grader looks for the answer passage closest to it, comparing each
sentence and each pair of neighbouring sentences of the answer (a point may span two) with the
key point itself and with its *anchor*, the reference-answer sentence closest to the key point
(a second, fuller phrasing of the same idea). A key point is covered when

- a passage is close in meaning: cosine similarity >= ``SIMILAR`` to the point or its anchor; or
- a passage contains at least half of the point's content words (after light stemming).

The answer's score is the share of key points covered, 0-100. ``SIMILAR`` was set with
all-MiniLM-L6-v2 on hand-written answers to the demo bank: paraphrases that use none of the
reference's words reached 0.5-0.75 against the anchors, on-topic but wrong answers at most 0.45,
off-topic ones below 0.25. Without an embedding model (``embeddings=None``, or the model cannot
load) only the words count. Same input, same result: nothing is random.

A hosted LLM grader implements the same port (``layers.core.ports.InterviewGrader``).
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence

from layers.core.errors import DependencyUnavailable
from layers.core.logging import get_logger
from layers.core.ports import AnswerAssessment, Embeddings, InterviewGrader

log = get_logger("adapters.interview_grader")

SIMILAR = 0.5
WORDS = 0.5
MAX_PASSAGES = 60  # a very long answer is graded on its first sentences only

_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")
_WORD = re.compile(r"[a-z0-9]+")
_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ions", "ion", "ers", "er", "ed", "es",
             "ly", "s")
_STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers him his how i if in into is it its itself just me more most my no nor not of off on once
only or other our out over own same she should so some such than that the their them then there these they
this those through to too under until up very was we were what when where which while who whom why will
with would you your yours one two use used using way ways make makes made get gets thing things
""".split())


def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("y") and len(word) > 3:
        word = word[:-1] + "i"
    return word[:7]


def content_words(text: str) -> set[str]:
    return {stem(w) for w in _WORD.findall(text.casefold()) if w not in _STOPWORDS and len(w) > 1}


def passages(answer: str) -> list[str]:
    sentences = [s.strip() for s in _SENTENCE.split(answer) if s.strip()][:MAX_PASSAGES // 2]
    pairs = [f"{a} {b}" for a, b in zip(sentences, sentences[1:], strict=False)]
    return sentences + pairs


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    # The port promises L2-normalised vectors; normalising again costs nothing and guards fakes.
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


class KeyPointGrader:
    def __init__(self, embeddings: Embeddings | None = None) -> None:
        self.embeddings = embeddings

    def assess(self, question: str, reference_answer: str, key_points: Sequence[str],
               answer: str) -> AnswerAssessment:
        parts = passages(answer)
        if not parts or not key_points:
            return AnswerAssessment(score=0, covered=[], missing=list(key_points))
        meaning = self._similarities(key_points, passages(reference_answer), parts)
        words = [content_words(p) for p in parts]
        covered: list[str] = []
        missing: list[str] = []
        for i, point in enumerate(key_points):
            wanted = content_words(point)
            overlap = [len(wanted & w) / len(wanted) if wanted else 0.0 for w in words]
            hit = any(meaning[i][j] >= SIMILAR or overlap[j] >= WORDS for j in range(len(parts)))
            (covered if hit else missing).append(point)
        return AnswerAssessment(score=round(100 * len(covered) / len(key_points)), covered=covered, missing=missing)

    def _similarities(self, key_points: Sequence[str], reference: list[str], parts: list[str]) -> list[list[float]]:
        """For each key point and passage: the larger similarity to the point or to its anchor."""
        if self.embeddings is None:
            return [[0.0] * len(parts) for _ in key_points]
        try:
            vectors = self.embeddings.embed([*key_points, *reference, *parts])
        except DependencyUnavailable:
            # The model could not load: grade by words rather than refuse the feedback.
            log.warning("embedding model unavailable; interview answers graded by words only")
            return [[0.0] * len(parts) for _ in key_points]
        n, r = len(key_points), len(reference)
        points, refs, texts = vectors[:n], vectors[n:n + r], vectors[n + r:]
        result = []
        for point in points:
            anchor = max(refs, key=lambda ref: _cosine(point, ref)) if refs else point
            result.append([max(_cosine(point, t), _cosine(anchor, t)) for t in texts])
        return result


def from_settings() -> InterviewGrader:
    """The grader ``INTERVIEW_GRADER`` names: key points matched offline (with the configured
    embedding model, or by words when it cannot load), or a hosted model."""
    from layers.adapters.embeddings import from_settings as embeddings_from_settings
    from layers.core.settings import get_settings

    settings = get_settings()
    if settings.interview_grader == "openai":
        from layers.adapters.openai_api import client_from_settings
        from layers.adapters.openai_grader import OpenAIGrader

        return OpenAIGrader(client_from_settings(settings, "INTERVIEW_GRADER"), settings.openai_answer_model)
    try:
        return KeyPointGrader(embeddings_from_settings())
    except DependencyUnavailable:
        return KeyPointGrader(None)
