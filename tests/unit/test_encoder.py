"""The shared sentence encoder: verified weights, the ONNX export equal to TensorFlow, one object per process."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.core import wiring
from bot.understanding import encoder_build
from bot.understanding.encoder import DEFAULT_DIR, DIMENSION, PINNED_SHA256, EncoderNotBuilt, SentenceEncoder, get_encoder

TEXTS = [
    "how much does therapy cost?",
    "i want to kill myself",
    "",
    "ñandú, me quiero morir 😭",
    "word " * 400,  # longer than the 256 tokens the model reads
]


def test_the_built_weights_are_the_upstream_release() -> None:
    assert encoder_build.verify(DEFAULT_DIR) == PINNED_SHA256


def test_a_changed_weight_file_stops_the_build(tmp_path: Path) -> None:
    for name in PINNED_SHA256:
        shutil.copy(DEFAULT_DIR / name, tmp_path / name)
    with (tmp_path / "tokenizer.json").open("ab") as fh:
        fh.write(b" ")
    with pytest.raises(encoder_build.VerificationError, match="tokenizer.json does not match the upstream release"):
        encoder_build.verify(tmp_path)


def test_a_missing_build_says_how_to_make_it(tmp_path: Path) -> None:
    with pytest.raises(EncoderNotBuilt, match="make encoder"):
        SentenceEncoder(tmp_path)


def test_onnx_embeddings_equal_the_tensorflow_reference() -> None:
    onnx = get_encoder().encode(TEXTS)
    reference = encoder_build.tf_reference(TEXTS)
    assert np.abs(onnx - reference).max() <= 1e-4


def test_vectors_are_unit_length_and_batching_changes_nothing() -> None:
    enc = get_encoder()
    batch = enc.encode(TEXTS)
    assert batch.shape == (len(TEXTS), DIMENSION) and batch.dtype == np.float32
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    one_by_one = np.stack([enc.encode_one(t) for t in TEXTS])
    assert np.abs(batch - one_by_one).max() <= 1e-5


def test_meaning_not_just_words() -> None:
    enc = get_encoder()
    a, b, c = enc.encode(["everyone would be better off without me", "my family would be happier if i was gone",
                          "how do i find a cbt therapist near me"])
    assert a @ b > a @ c + 0.2


def test_one_encoder_per_process_and_tests_can_swap_it() -> None:
    assert get_encoder() is get_encoder()
    stand_in = object()
    with wiring.override("encoder", stand_in):
        assert get_encoder() is stand_in
    assert get_encoder() is not stand_in


def test_short_repeated_messages_are_remembered_without_their_text_and_get_the_same_vector() -> None:
    enc = SentenceEncoder(cache_size=2)
    fresh = SentenceEncoder(cache_size=0)
    first = enc.encode_one("thanks")
    again = enc.encode_one("thanks")
    assert (enc.hits, enc.misses) == (1, 1)
    assert np.array_equal(first, again) and np.array_equal(again, fresh.encode_one("thanks"))
    again[:] = 0  # a caller changing its copy cannot change what the next visitor gets
    assert np.array_equal(enc.encode_one("thanks"), first)
    assert all(isinstance(key, bytes) and b"thanks" not in key for key in enc._cache)
    enc.encode_one("yes")
    enc.encode_one("no")
    assert len(enc._cache) == 2  # bounded: the oldest is dropped
    long_text = "how long does therapy usually take for anxiety, roughly?"
    enc.encode_one(long_text)
    enc.encode_one(long_text)
    assert len(enc._cache) == 2 and enc.hits == 2  # long messages are always encoded afresh
    assert fresh.hits == 0 and not fresh._cache
