"""The fine-tuning probe (``bot.evaluation.finetune_probe``) really tunes the encoder it measures."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.evaluation import quick_crisis
from bot.evaluation.finetune_probe import TunedEncoder, fine_tune, probe, swapped
from bot.understanding import faq_data
from bot.understanding.encoder import get_encoder


def _two_topics(per_label: int) -> list[faq_data.Example]:
    wanted = {"faq/costs_insurance": [], "faq/cbt": []}  # type: dict[str, list[faq_data.Example]]
    for example in faq_data.train_examples():
        if example.label in wanted and len(wanted[example.label]) < per_label:
            wanted[example.label].append(example)
    return [e for examples in wanted.values() for e in examples]


def _separation(vectors: np.ndarray, labels: list[str]) -> float:
    """Mean cosine within a label minus mean cosine across labels (the vectors are unit length)."""
    same = np.array([[a == b for b in labels] for a in labels])
    sims = vectors @ vectors.T
    off_diagonal = ~np.eye(len(labels), dtype=bool)
    return float(sims[same & off_diagonal].mean() - sims[~same].mean())


def test_fine_tuning_pulls_the_labels_apart_and_keeps_unit_vectors() -> None:
    examples = _two_topics(16)
    texts, labels = [e.text for e in examples], [e.label for e in examples]
    encode = fine_tune(texts, labels, epochs=4, lr=1e-4, log=lambda _: None)
    tuned, frozen = encode(texts), get_encoder().encode(texts)
    assert tuned.shape == frozen.shape
    assert np.allclose(np.linalg.norm(tuned, axis=1), 1.0, atol=1e-4)
    assert _separation(tuned, labels) > _separation(frozen, labels) + 0.02


def test_the_probe_scores_both_encoders_on_the_held_out_fold_only() -> None:
    examples = _two_topics(30)
    lines: list[str] = []
    [result] = probe(examples, folds=3, chosen=[1], epochs=0.5, lr=1e-4, log=lines.append)
    assert result["fold"] == 1 and 0 < result["held"] < len(examples)
    assert any(f"{len(examples) - result['held']} training lines" in line for line in lines)
    assert 0.0 <= result["frozen"] <= 1.0 and 0.0 <= result["tuned"] <= 1.0
    assert result["moved"] > 0.0


def test_a_swapped_encoder_serves_the_process_and_caches_apart(tmp_path: Path) -> None:
    frozen = get_encoder()
    tuned = TunedEncoder(lambda texts: np.ones((len(texts), 384), dtype=np.float32))
    with swapped(tuned, tmp_path):
        assert get_encoder() is tuned
        vectors = quick_crisis.EmbeddingCache().encode(get_encoder(), ["how much does therapy cost"])
        assert np.all(vectors == 1.0)
        assert (tmp_path / "embeddings.npz").exists()
    assert get_encoder() is frozen
    assert quick_crisis.EmbeddingCache().path != tmp_path / "embeddings.npz"
