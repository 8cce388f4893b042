"""How far a split sits from the training data: the nearest training line's similarity and label."""

from __future__ import annotations

import numpy as np
import pytest

from bot.evaluation.distance import describe, distance
from bot.understanding.faq_data import Example

TRAIN = [Example("how much does therapy cost", "faq/costs_insurance"), Example("what is cbt", "faq/cbt")]
TRAIN_VECTORS = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


def test_a_split_of_training_lines_sits_on_them() -> None:
    d = distance(TRAIN, TRAIN_VECTORS, TRAIN, TRAIN_VECTORS * 3.0)  # length does not matter, direction does
    assert d["nearest_similarity"] == pytest.approx(1.0) and d["nearest_same_label"] == 1.0


def test_a_line_nearest_to_another_labels_line_counts_against_the_split() -> None:
    split = [Example("is cbt covered by my plan", "faq/costs_insurance"), Example("a new topic", "out_of_scope")]
    vectors = np.array([[0.2, 0.9, 0.0], [0.0, 0.0, 1.0]])
    d = distance(TRAIN, TRAIN_VECTORS, split, vectors)
    assert d["nearest_same_label"] == 0.0
    # The second line is orthogonal to every training line; the first leans towards "what is cbt".
    assert d["nearest_similarity"] == pytest.approx((0.9 / np.hypot(0.2, 0.9) + 0.0) / 2)
    assert "same label 0.0%" in describe("split", d)


def test_real_sentences_sit_nearer_to_a_paraphrase_than_to_an_unrelated_request() -> None:
    from bot.understanding.encoder import get_encoder

    encoder = get_encoder()
    train = [Example("how much does a therapy session cost", "faq/costs_insurance")]
    near = [Example("what's the price of seeing a counsellor", "faq/costs_insurance")]
    far = [Example("will it rain in leeds tomorrow", "out_of_scope")]
    train_vectors = encoder.encode([e.text for e in train])
    d_near = distance(train, train_vectors, near, encoder.encode([e.text for e in near]))
    d_far = distance(train, train_vectors, far, encoder.encode([e.text for e in far]))
    assert d_near["nearest_similarity"] > d_far["nearest_similarity"] + 0.2
