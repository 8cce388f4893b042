"""The fine-tuning probe (``bot.evaluation.finetune_probe``) really tunes the encoder it measures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.evaluation import quick_crisis
from bot.evaluation.finetune_probe import (
    TunedEncoder,
    batches_by_length,
    epoch_batches,
    fine_tune,
    print_topics,
    probe,
    swapped,
)
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


def test_the_probe_scores_both_encoders_on_the_held_out_fold_only(capsys: pytest.CaptureFixture[str]) -> None:
    examples = _two_topics(30)
    lines: list[str] = []
    [result] = probe(examples, folds=3, chosen=[1], epochs=0.5, lr=1e-4, log=lines.append)
    assert result["fold"] == 1 and 0 < result["held"] < len(examples)
    assert any(f"{len(examples) - result['held']} training lines" in line for line in lines)
    assert 0.0 <= result["frozen"] <= 1.0 and 0.0 <= result["tuned"] <= 1.0
    assert result["moved"] > 0.0
    for key in ("frozen", "tuned"):  # the per-topic tallies add up to the fold's figure
        counts = result["by_topic"][key]
        assert sum(n for _, n in counts.values()) == result["held"]
        assert sum(right for right, _ in counts.values()) / result["held"] == result[key]
    print_topics([result])
    assert {line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]} == set(result["by_topic"]["tuned"])


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


def test_batches_by_length_cover_every_line_once_with_alike_lengths() -> None:
    rng = np.random.default_rng(0)
    lengths = list(rng.integers(3, 200, size=101))
    batches = batches_by_length(lengths, 10, rng)
    assert sorted(int(i) for b in batches for i in b) == list(range(101))
    # Sorted before cutting: the batches' length ranges do not overlap beyond ties.
    spans = sorted((min(lengths[i] for i in b), max(lengths[i] for i in b)) for b in batches)
    assert all(hi <= next_lo for (_, hi), (next_lo, _) in zip(spans, spans[1:], strict=False))
    # Shuffled batch order: not simply shortest first.
    assert [min(lengths[i] for i in b) for b in batches] != [lo for lo, _ in spans]


def test_epoch_batches_never_mix_tasks() -> None:
    tasks = np.array([0] * 25 + [1] * 40)
    for lengths in (None, list(range(65))):
        batches = epoch_batches(tasks, lengths, 8, np.random.default_rng(1))
        assert sorted(int(i) for b in batches for i in b) == list(range(65))
        assert all(len(set(tasks[b])) == 1 for b in batches)
        assert {int(tasks[b[0]]) for b in batches} == {0, 1}


def test_tuning_the_top_layers_by_length_with_two_heads_still_separates_the_labels() -> None:
    examples = _two_topics(16)
    texts, labels = [e.text for e in examples], [e.label for e in examples]
    # A second task whose labels cut across the first: each head learns its own classes.
    tasks = ["faq"] * len(texts) + ["other"] * 8
    other = ["yes"] * 4 + ["no"] * 4
    encode = fine_tune(texts + texts[:8], labels + other, epochs=4, lr=1e-4, log=lambda _: None,
                       train_layers=2, by_length=True, tasks=tasks)
    tuned, frozen = encode(texts), get_encoder().encode(texts)
    assert np.allclose(np.linalg.norm(tuned, axis=1), 1.0, atol=1e-4)
    assert _separation(tuned, labels) > _separation(frozen, labels) + 0.02

