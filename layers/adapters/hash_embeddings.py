"""A deterministic stand-in for an embedding model: no semantics, no model file, no numpy.

Each word is hashed to one of the vector's dimensions with a sign, so texts that share words get
similar vectors and the same text always gets the same vector. For tests that exercise indexing,
caching and gating rather than meaning, and for a machine without the model installed
(``EMBEDDINGS_PROVIDER=hash``).
"""
from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence

_WORD = re.compile(r"\w+")


class HashEmbeddings:
    model_id = "hash-384"
    dimensions = 384

    def __init__(self) -> None:
        self.calls: list[list[str]] = []  # what was embedded, batch by batch (tests read it)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        return [self._vector(text) for text in texts]

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * self.dimensions
        for word in _WORD.findall(text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            index = int.from_bytes(digest[:4], "big") % self.dimensions
            vector[index] += 1.0 if digest[4] & 1 else -1.0
        norm = math.sqrt(sum(x * x for x in vector))
        if norm == 0:
            vector[0], norm = 1.0, 1.0
        return [x / norm for x in vector]
