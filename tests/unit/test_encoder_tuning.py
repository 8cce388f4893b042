"""The encoder tuned at build time (``encoder_tuning``) and stored in the archive by the featurizer.

The tuning here is tiny (two FAQ topics and two crisis families, the top two
layers, a few epochs) but real: real weights, real gradients, the real ONNX
export, checked against TensorFlow inside ``tuned_encoder_dir``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core import wiring
from bot.understanding import encoder_tuning
from bot.understanding.encoder import DEFAULT_DIR, MANIFEST, ONNX_FILE, SentenceEncoder, get_encoder
from bot.understanding.encoder_build import embedder, load_tf_model, mean_pool
from bot.understanding.featurizer import SentenceEncoderFeaturizer, sentence_embedding

OPTIONS = encoder_tuning.TuningOptions(epochs=6.0, lr=3e-4, batch=8, train_layers=2)
FAQ = """version: "3.1"
nlu:
- intent: faq/cbt
  examples: |
    - what happens in cognitive behavioural therapy
    - how does cbt change unhelpful thoughts
    - is cbt about homework between sessions
    - cbt for anxiety, how does it work
    - what is a thought record in cbt
    - does cognitive behavioral therapy look at the past
    - how many sessions of cbt are usual
    - cbt vs just talking, what's the difference
- intent: faq/costs_insurance
  examples: |
    - how much does a therapy session cost
    - will my insurance pay for counselling
    - is therapy covered by my health plan
    - what is a sliding scale fee
    - can i afford a therapist on a low income
    - do therapists take medicaid
    - why is private therapy so expensive
    - what does a copay for therapy look like
"""
CRISIS = """families:
- family: "t-explicit"
  kind: "explicit"
  category: "suicide"
  texts:
  - "i want to end my life"
  - "i am going to kill myself"
  - "i don't want to be alive any more"
  - "i'm planning to take my own life"
- family: "t-figurative"
  kind: "figurative"
  category: "none"
  texts:
  - "this traffic is killing me"
  - "i could murder a pizza right now"
  - "my feet are dying in these shoes"
  - "that joke killed, everyone laughed"
"""


def _separation(vectors: np.ndarray, labels: list[str]) -> float:
    """Mean cosine within a label minus mean cosine across labels (the vectors are unit length)."""
    same = np.array([[a == b for b in labels] for a in labels])
    sims = vectors @ vectors.T
    return float(sims[same & ~np.eye(len(labels), dtype=bool)].mean() - sims[~same].mean())


@pytest.fixture(scope="module")
def data_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("tuning-data")
    (root / "nlu").mkdir()
    (root / "crisis").mkdir()
    (root / "nlu" / "topics.yml").write_text(FAQ)
    (root / "crisis" / "families.yml").write_text(CRISIS)
    return root / "nlu", root / "crisis"


@pytest.fixture(scope="module")
def cache_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("encoder-tuned")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(encoder_tuning, "default_cache_root", lambda: root)
        yield root


@pytest.fixture(scope="module")
def tuned(data_dirs: tuple[Path, Path], cache_root: Path) -> Path:
    return encoder_tuning.tuned_encoder_dir(encoder_tuning.project_lines(*data_dirs), OPTIONS, log=lambda _: None)


def test_the_same_lines_in_any_order_are_one_tuning_set() -> None:
    faq = [("what is cbt", "faq/cbt"), ("cost of therapy", "faq/costs_insurance"), ("what is cbt", "faq/cbt")]
    crisis = [("i want to die", "suicide"), ("this heat is killing me", "none")]
    lines = encoder_tuning.tuning_lines(faq, crisis)
    assert lines == encoder_tuning.tuning_lines(faq[::-1], crisis[::-1])
    assert len(lines[0]) == 4 and lines[2].count("crisis") == 2  # the repeated line counts once
    key = encoder_tuning.tuning_key(lines, OPTIONS)
    assert key == encoder_tuning.tuning_key(encoder_tuning.tuning_lines(faq[::-1], crisis), OPTIONS)
    relabelled = encoder_tuning.tuning_lines([("what is cbt", "faq/approaches"), *faq[1:]], crisis)
    assert encoder_tuning.tuning_key(relabelled, OPTIONS) != key
    assert encoder_tuning.tuning_key(lines, dataclasses.replace(OPTIONS, epochs=2.0)) != key


def test_lower_states_computed_once_then_the_upper_layers_give_the_whole_model() -> None:
    bert = load_tf_model(DEFAULT_DIR)
    texts = ["how much does therapy cost?", "i can't keep going like this, i want it over", "ok"]
    tokenizer = encoder_tuning.make_tokenizer(DEFAULT_DIR)
    states = encoder_tuning.LowerStates(bert, 4, texts, tokenizer)
    hidden, mask = states.batch([0, 1, 2])
    cached = mean_pool(encoder_tuning.upper_layers(bert, 4, hidden, mask, training=False), mask).numpy()
    whole = embedder(bert)(*encoder_tuning.tokenize(tokenizer, texts)).numpy()
    assert np.abs(cached - whole).max() <= 1e-5


def test_the_tuned_export_pulls_both_tasks_labels_apart_and_is_kept(tuned: Path, data_dirs: tuple[Path, Path]) -> None:
    manifest = SentenceEncoder(tuned).manifest
    assert manifest["tuned"]["key"] == tuned.name and manifest["tuned"]["tasks"] == {"crisis": 8, "faq": 16}
    assert manifest["sha256"]["model.safetensors"] == SentenceEncoder(DEFAULT_DIR).manifest["sha256"]["model.safetensors"]
    texts, labels, _ = encoder_tuning.project_lines(*data_dirs)
    vectors = SentenceEncoder(tuned).encode(texts)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert _separation(vectors, labels) > _separation(get_encoder().encode(texts), labels) + 0.05
    said: list[str] = []
    again = encoder_tuning.tuned_encoder_dir(encoder_tuning.project_lines(*data_dirs), OPTIONS, log=said.append)
    assert again == tuned and said == []  # the same lines and options: nothing is tuned again


def _featurizer_config(data_dirs: tuple[Path, Path], tune: bool) -> dict[str, Any]:
    return {"tune": tune, "faq_data": str(data_dirs[0]), "crisis_data": str(data_dirs[1]),
            **dataclasses.asdict(OPTIONS)}


def test_training_stores_the_tuned_encoder_and_loading_makes_it_the_process_encoder(
        tuned: Path, data_dirs: tuple[Path, Path], tmp_path: Path) -> None:
    storage, resource = LocalModelStorage(tmp_path), Resource("train_SentenceEncoderFeaturizer0")
    context = ExecutionContext(GraphSchema({}), "test")
    config = _featurizer_config(data_dirs, tune=True)
    trainer = SentenceEncoderFeaturizer.create(config, storage, resource, context)
    assert isinstance(trainer, SentenceEncoderFeaturizer)
    trainer.train(TrainingData())
    assert trainer._encoder is None  # tuning and storing never open the frozen encoder
    with storage.read_from(resource) as directory:
        assert (Path(directory) / ONNX_FILE).read_bytes() == (tuned / ONNX_FILE).read_bytes()
        assert (Path(directory) / MANIFEST).exists()
    with wiring.override("encoder", get_encoder()):
        loaded = SentenceEncoderFeaturizer.load(config, storage, resource, context)
        message = Message({"text": "is cbt covered by insurance"})
        loaded.process([message])  # type: ignore[attr-defined]
        vector = sentence_embedding(message)
        assert get_encoder().directory != DEFAULT_DIR  # the crisis model's windows read the same encoder
        assert vector is not None and np.allclose(vector, SentenceEncoder(tuned).encode([message.get("text")])[0])
        assert not np.allclose(vector, SentenceEncoder(DEFAULT_DIR).encode([message.get("text")])[0], atol=1e-3)


def test_an_untuned_featurizer_stores_nothing_and_reads_the_frozen_encoder(
        data_dirs: tuple[Path, Path], tmp_path: Path) -> None:
    storage, resource = LocalModelStorage(tmp_path), Resource("train_SentenceEncoderFeaturizer0")
    context = ExecutionContext(GraphSchema({}), "test")
    config = _featurizer_config(data_dirs, tune=False)
    SentenceEncoderFeaturizer.create(config, storage, resource, context).train(TrainingData())  # type: ignore[attr-defined]
    frozen = get_encoder()
    loaded = SentenceEncoderFeaturizer.load(config, storage, resource, context)
    assert get_encoder() is frozen and loaded.encoder is frozen  # type: ignore[attr-defined]


def test_vectors_of_the_tuned_and_the_frozen_encoder_are_cached_apart(tuned: Path) -> None:
    from bot.evaluation.quick_crisis import EmbeddingCache, cache_file, frozen_encoder

    frozen = frozen_encoder()
    assert cache_file(SentenceEncoder(tuned)) != cache_file(frozen)
    with wiring.override("encoder", SentenceEncoder(tuned)):
        assert EmbeddingCache().path == cache_file(get_encoder())
        # Distances and cross-validation read the frozen encoder even while a tuned one serves the process.
        assert frozen_encoder() is frozen and EmbeddingCache(encoder=frozen).path == cache_file(frozen)


def test_the_bot_tunes_on_the_training_data_alone() -> None:
    from bot.evaluation.quick_crisis import FEATURIZER, component_config
    from bot.understanding import crisis_data, faq_data

    config = {**SentenceEncoderFeaturizer.get_default_config(), **component_config(name=FEATURIZER)}
    assert config["tune"] is True
    assert faq_data.ROOT / config["faq_data"] == faq_data.TRAIN_DIR
    assert crisis_data.ROOT / config["crisis_data"] == crisis_data.TRAIN_DIR
