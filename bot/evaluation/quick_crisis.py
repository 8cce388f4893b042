"""A fast loop for whoever writes crisis data: fit the crisis model in process and score the dev set.

``make eval-crisis ARGS=--quick`` fits the same classifier ``rasa train``
fits (same data: ``data/crisis/model/`` plus the Rasa NLU examples as everyday
traffic; same options from config.yml) and reads the dev messages through the
same ``CrisisModel.assess`` the server uses, in about a minute instead of a
full training, with the encoder ``rasa train`` would store (tuned on today's
lines, ``use_project_encoder``). Embeddings are kept in ``var/cache/``, one
file per encoder, keyed by a hash of the text, so only new lines are encoded
on the next run.

It never scores the test set: figures in README come from the trained
archive (``make eval-crisis``), and the test set is scored only after the
thresholds are frozen.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Dict, Sequence

import numpy as np
import yaml

from bot.core import wiring
from bot.understanding import crisis_data
from bot.understanding.encoder import get_encoder

CACHE_DIR = crisis_data.ROOT / "var" / "cache"
COMPONENT = "bot.understanding.crisis_component.CrisisModel"
FEATURIZER = "bot.understanding.featurizer.SentenceEncoderFeaturizer"


def component_config(config_file: Path = crisis_data.ROOT / "config.yml", name: str = COMPONENT) -> Dict[str, Any]:
    """The options config.yml gives the pipeline component ``name`` (the crisis model unless told)."""
    pipeline = yaml.safe_load(config_file.read_text(encoding="utf-8"))["pipeline"]
    entry = next(c for c in pipeline if c.get("name") == name)
    return {k: v for k, v in entry.items() if k != "name"}


def use_project_encoder(config_file: Path = crisis_data.ROOT / "config.yml") -> str:
    """Make the process's encoder the one ``rasa train`` would store for today's data and config.yml.

    With ``tune`` on, that is the encoder tuned on today's training lines
    (``encoder_tuning``, cached by their hash: tuned now only when the data
    changed since the last training), and its vectors are cached apart from
    the frozen encoder's. For the quick dev loops only: cross-validation keeps
    the frozen encoder, since the tuned one has seen every fold's labels.
    """
    from bot.understanding.encoder import SentenceEncoder
    from bot.understanding.featurizer import SentenceEncoderFeaturizer

    directory = SentenceEncoderFeaturizer.tuned_directory(component_config(config_file, FEATURIZER))
    if directory is None:
        return "frozen"
    wiring.put("encoder", SentenceEncoder(directory))
    return f"tuned {directory.name}"


def cache_file(encoder: Any) -> Path:
    """Where ``encoder``'s vectors are kept: named by its ONNX export's hash (frozen or tuned)."""
    manifest = getattr(encoder, "manifest", None) or {}
    name = str(manifest.get("onnx_sha256", ""))[:16] or f"process-{id(encoder)}"
    return CACHE_DIR / f"embeddings-{name}.npz"


def frozen_encoder() -> Any:
    """The verified upstream encoder as it is: a reading of distance that no tuning on our labels has bent."""
    from bot.understanding.encoder import DEFAULT_DIR, SentenceEncoder

    def make() -> Any:
        current = wiring.peek("encoder")
        if current is None or getattr(current, "directory", None) == DEFAULT_DIR:
            return get_encoder()  # the process's encoder is the frozen one: no second session
        return SentenceEncoder()

    return wiring.get("frozen_encoder", make)


class EmbeddingCache:
    """Sentence vectors by text hash, on disk between runs (the texts themselves are not stored)."""

    def __init__(self, path: Path | None = None, encoder: Any = None) -> None:
        # One file per encoder (the frozen one, each tuned one), named by its export's hash, so
        # vectors of two encoders never mix; the wiring may name another (bot.evaluation.finetune_probe).
        override = path if path is not None else wiring.peek("embedding_cache")
        self.path = override if override is not None else cache_file(encoder or get_encoder())
        self.vectors: Dict[str, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path) as stored:
                self.vectors = {key: stored[key] for key in stored.files}

    @staticmethod
    def key(text: str) -> str:
        return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()

    def encode(self, encoder: Any, texts: Sequence[str]) -> np.ndarray:
        missing = sorted({t for t in texts if self.key(t) not in self.vectors})
        for start in range(0, len(missing), 64):
            batch = missing[start:start + 64]
            for text, vector in zip(batch, encoder.encode(batch), strict=True):
                self.vectors[self.key(text)] = vector
        if missing:
            # Written aside and renamed: another quick run reading the cache never sees half a file.
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_name(f"{self.path.name}.{os.getpid()}.partial")
            with partial.open("wb") as out:
                np.savez(out, **self.vectors)
            os.replace(partial, self.path)
        return np.stack([self.vectors[self.key(t)] for t in texts])


class QuickAgent:
    """What ``evaluate_crisis.score`` needs of an agent: the crisis verdict of one message."""

    def __init__(self, component: Any) -> None:
        self.component = component

    async def parse_message(self, text: str) -> Dict[str, Any]:
        return {"crisis": self.component.assess(text).as_output()}


def fit(config: Dict[str, Any] | None = None) -> QuickAgent:
    from bot.understanding.crisis_component import CrisisModel
    from bot.understanding.encoder import get_encoder

    component = CrisisModel(config if config is not None else component_config(), None, None)  # type: ignore[arg-type]
    examples = crisis_data.training_examples()
    texts = [e.text for e in examples]
    component.fit(texts, EmbeddingCache().encode(get_encoder(), texts), [e.category for e in examples])
    print(f"fitted on {len(examples)} lines ({sum(e.is_crisis for e in examples)} crisis)")
    return QuickAgent(component)
