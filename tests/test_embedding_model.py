"""The offline embedding model on current releases (onnxruntime, numpy, tokenizers) reads the model
file as published and embeds exactly as before: vectors equal, to five decimals, to those computed
by the earlier runtime (onnxruntime 1.16.3, numpy 1.26.4, the file's IR byte rewritten), stored in
tests/data/embedding_reference.json."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

REFERENCE = Path(__file__).parent / "data" / "embedding_reference.json"


def test_embeddings_equal_the_reference_vectors_to_five_decimals():
    from layers.adapters.minilm import MODEL_ID, MiniLmEmbeddings

    reference = json.loads(REFERENCE.read_text())
    assert reference["model_id"] == MODEL_ID
    vectors = MiniLmEmbeddings().embed(reference["texts"])
    assert len(vectors) == len(reference["vectors"])
    for text, got, expected in zip(reference["texts"], vectors, reference["vectors"], strict=True):
        worst = max(abs(a - b) for a, b in zip(got, expected, strict=True))
        assert worst < 0.5e-5, f"{text[:40]!r}: differs by {worst:.2e}"


def test_the_model_file_is_the_one_pinned(tmp_path):
    from infra.models import check_model

    assert check_model().name == "model.onnx"
    changed = tmp_path / "model.onnx"
    changed.write_bytes(check_model().read_bytes()[:-1] + b"\0")
    with pytest.raises(SystemExit, match="expected"):
        check_model(changed)
