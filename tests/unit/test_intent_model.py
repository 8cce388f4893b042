"""The intent model: its decision rules on chosen probabilities, and the component on real messages and real data."""

from __future__ import annotations

from typing import Optional

import numpy as np
import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.understanding import faq_data
from bot.understanding.encoder import get_encoder
from bot.understanding.intent_component import IntentModel
from bot.understanding.intent_model import (
    CLARIFY_INTENT,
    FALLBACK_INTENT,
    IntentClassifier,
    IntentThresholds,
    NeighbourOptions,
    decide,
)
from bot.understanding.linear import ModelOptions

CLASSES = ["faq/cbt", "faq/dbt", "faq/duration", "greet", "out_of_scope"]
T = IntentThresholds(fallback=0.3, topic=0.2, clarify=0.6, clarify_min=0.2)


def row(*p: float) -> np.ndarray:
    return np.asarray(p, dtype=float)


def test_a_clear_topic_is_answered() -> None:
    d = decide(row(0.8, 0.05, 0.05, 0.05, 0.05), CLASSES, T)
    assert (d.intent, d.topic, d.outcome) == ("faq", "cbt", "faq/cbt")


def test_topics_add_up_to_faq_against_other_intents() -> None:
    # No single topic beats out_of_scope's 0.4, but FAQ as a whole (0.45) does.
    d = decide(row(0.3, 0.1, 0.05, 0.15, 0.4), CLASSES, T)
    assert d.intent == "faq" and d.intents[0] == ("faq", pytest.approx(0.45))


def test_an_unsure_intent_falls_back() -> None:
    d = decide(row(0.1, 0.1, 0.1, 0.28, 0.42), CLASSES, IntentThresholds(fallback=0.5))
    assert d.intent == FALLBACK_INTENT


def test_an_unsure_topic_falls_back_though_faq_is_sure() -> None:
    d = decide(row(0.34, 0.33, 0.33, 0.0, 0.0), CLASSES, IntentThresholds(topic=0.4, clarify=1.01))
    assert d.intent == FALLBACK_INTENT and d.topic is None


def test_two_close_topics_get_a_clarifying_question() -> None:
    d = decide(row(0.5, 0.4, 0.02, 0.04, 0.04), CLASSES, T)
    assert d.intent == CLARIFY_INTENT and [t for t, _ in d.topics[:2]] == ["cbt", "dbt"]


def test_a_weak_runner_up_is_no_reason_to_ask() -> None:
    d = decide(row(0.7, 0.15, 0.05, 0.05, 0.05), CLASSES, T)
    assert d.intent == "faq"


@pytest.fixture(scope="module")
def model() -> IntentModel:
    """Trained on the real training data with the real encoder (every second line: fast enough)."""
    examples = faq_data.train_examples()[::2]
    texts = [e.text for e in examples]
    classifier = IntentClassifier(ModelOptions(c=8.0)).fit(texts, get_encoder().encode(texts), [e.label for e in examples])
    return IntentModel({}, None, None, classifier)  # type: ignore[arg-type]


def parse(model: IntentModel, text: str) -> Message:
    m = Message(data={"text": text})
    model.process([m])
    return m


def entity(m: Message, name: str) -> Optional[str]:
    return next((e["value"] for e in m.get("entities") or [] if e["entity"] == name), None)


def test_the_fast_path_equals_scikit_learn(model: IntentModel) -> None:
    texts = ["how much does cbt cost", "hiya", "write me a poem about the sea"]
    vectors = get_encoder().encode(texts)
    fast = model.classifier.predict_proba(texts, vectors)
    assert np.abs(fast - model.classifier.predict_proba_reference(texts, vectors)).max() < 1e-9


def test_an_answered_topic_fills_what_rasa_reads(model: IntentModel) -> None:
    m = parse(model, "what is cognitive behavioural therapy")
    assert m.get("intent")["name"] == "faq"
    response = m.get("response_selector")["faq"]["response"]
    assert response["intent_response_key"] == "faq/cbt" and response["utter_action"] == "utter_faq/cbt"
    assert entity(m, "faq_topic") == "cbt"
    assert m.get("intent")["full_retrieval_intent_name"] == "faq/cbt"


@pytest.mark.parametrize("topic", ["homework", "formats", "first_session", "not_working"])
def test_a_topic_button_is_answered_with_that_topic(model: IntentModel, topic: str) -> None:
    m = parse(model, f"/faq/{topic}")
    assert m.get("intent") == {"name": "faq", "confidence": 1.0, "full_retrieval_intent_name": f"faq/{topic}"}
    assert m.get("response_selector")["faq"]["response"]["utter_action"] == f"utter_faq/{topic}"
    assert entity(m, "faq_topic") == topic


def test_an_unknown_topic_payload_is_not_trusted(model: IntentModel) -> None:
    m = parse(model, "/faq/not_a_topic")
    assert not (m.get("intent")["name"] == "faq" and entity(m, "faq_topic") == "not_a_topic")


def test_a_client_cannot_set_the_topic_entity(model: IntentModel) -> None:
    m = Message(data={"text": "hello there", "entities": [{"entity": "faq_topic", "value": "cbt"}]})
    model.process([m])
    assert m.get("intent")["name"] == "greet"
    assert entity(m, "faq_topic") is None


def test_a_clarifying_question_names_no_topic(model: IntentModel) -> None:
    strict = IntentModel({"clarify_ratio": 0.0, "clarify_min": 0.0}, None, None, model.classifier)  # type: ignore[arg-type]
    m = parse(strict, "how long does cbt take")
    assert m.get("intent")["name"] == CLARIFY_INTENT
    assert entity(m, "faq_topic") is None
    assert len(m.get("response_selector")["faq"]["ranking"]) >= 2


@pytest.mark.parametrize("text, intent", [
    ("how much sertraline should i take a day", "out_of_scope_medication"),
    ("can you tell me if i have adhd", "out_of_scope_diagnosis"),
    ("thank u so much", "thank"),
])
def test_everyday_intents(model: IntentModel, text: str, intent: str) -> None:
    assert parse(model, text).get("intent")["name"] == intent


def _toy(weight: float) -> tuple[IntentClassifier, np.ndarray]:
    """Three labels on three axes of a tiny embedding; n-grams off, so only the geometry speaks."""
    vectors = np.array([[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.0, 1.0, 0.0], [0.1, 0.9, 0.0], [0.0, 0.0, 1.0], [0.0, 0.1, 0.9]])
    options = ModelOptions(c=1.0, char_ngrams=False, word_ngrams=False, class_weight=None)
    classifier = IntentClassifier(options, NeighbourOptions(weight=weight, k=2, temperature=0.05))
    labels = ["faq/cbt", "faq/cbt", "greet", "greet", "thank", "thank"]
    return classifier.fit(list("abcdef"), vectors, labels), vectors


def test_the_nearest_lines_vote_for_their_label() -> None:
    classifier, _ = _toy(0.5)
    vote = classifier.vote(np.array([[0.95, 0.05, 0.0]]))
    assert vote[0, classifier.classes.index("faq/cbt")] == pytest.approx(1.0)


def test_the_blend_is_the_weighted_mean_of_model_and_vote() -> None:
    blended, _ = _toy(0.5)
    plain, _ = _toy(0.0)
    query = np.array([[0.2, 0.8, 0.0]])
    linear = plain.predict_proba(["x"], query)
    expected = 0.5 * linear + 0.5 * blended.vote(query)
    assert np.allclose(blended.predict_proba(["x"], query), expected)
    assert np.allclose(linear.sum(), 1.0) and np.allclose(blended.predict_proba(["x"], query).sum(), 1.0)
    assert plain.memory is None  # weight 0: nothing kept, the linear model alone


def test_the_vote_survives_save_and_load(tmp_path) -> None:  # type: ignore[no-untyped-def]
    classifier, _ = _toy(0.3)
    classifier.save(tmp_path)
    loaded = IntentClassifier.load(tmp_path)
    query = np.array([[0.6, 0.4, 0.0]])
    assert loaded.neighbours == classifier.neighbours
    assert np.allclose(loaded.predict_proba(["x"], query), classifier.predict_proba(["x"], query))


@pytest.mark.parametrize("embedding", [True, False])
def test_the_fast_path_equals_scikit_learn_with_two_labels(embedding: bool) -> None:
    # scikit-learn keeps a single score column for a two-label problem; the fast path must still give both columns.
    texts = ["how much does it cost", "what does therapy cost", "hello there", "hi, good morning"]
    vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    options = ModelOptions(c=1.0, char_ngrams=True, word_ngrams=True, embedding=embedding, class_weight=None)
    classifier = IntentClassifier(options).fit(texts * 2, np.vstack([vectors, vectors]), ["faq/costs", "faq/costs", "greet", "greet"] * 2)
    query = ["what's the price", "hello"]
    fast = classifier.predict_proba(query, vectors[:2])
    assert fast.shape == (2, 2)
    assert np.abs(fast - classifier.predict_proba_reference(query, vectors[:2])).max() < 1e-9
