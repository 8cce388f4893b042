"""What the visitor asked: one linear model over intents and FAQ topics, and the decision it leads to.

The model's labels are the conversation intents (``greet``, ``out_of_scope``,
...) and one label per FAQ topic (``faq/cbt``): a single softmax, so a question
about CBT and a request for a poem compete directly, and the ResponseSelector's
second network is not needed. ``P(faq)`` is the sum over the topics.

The decision, with thresholds chosen on the dev sets (``make eval-faq ARGS=--choose``):
- the likeliest intent below ``fallback`` -> ``nlu_fallback`` (the closest topics as buttons);
- an FAQ question whose likeliest topic holds less than ``topic`` of P(faq) -> fallback too;
- an FAQ question whose runner-up topic holds at least ``clarify`` times the
  first one's probability -> ``faq_clarify`` (both topics as buttons), not a guess;
- otherwise the intent, and for FAQ the topic.

The linear model's probabilities are blended with a vote of the training lines
nearest in meaning (:class:`NeighbourOptions`): one wording close to a
training line of a small family carries that family's label even where the
linear boundary, drawn for the many, misses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

from bot.understanding.linear import LinearTextClassifier, ModelOptions

RETRIEVAL_INTENT = "faq"
FALLBACK_INTENT = "nlu_fallback"
CLARIFY_INTENT = "faq_clarify"
MODEL_FILE = "intent_model.pkl"
NEIGHBOURS_FILE = "intent_neighbours.npz"
# Decided by the crisis model, which has its own data; not labels of this one.
NOT_LEARNED = frozenset({"crisis", "crisis_check_in", "crisis_share", FALLBACK_INTENT, CLARIFY_INTENT})


def label_of(intent: str, response_key: Optional[str]) -> str:
    """The model's label for a training example: ``faq/<topic>`` for FAQ, else the intent."""
    return response_key if intent == RETRIEVAL_INTENT and response_key else intent


def is_topic(label: str) -> bool:
    return label.startswith(RETRIEVAL_INTENT + "/")


@dataclass(frozen=True)
class NeighbourOptions:
    """The vote of the nearest training lines: ``weight`` of it in the blend (0 = the linear model alone).

    Measured by 3-fold cross-validation by family and on the dev sets
    (``make eval``, ``make eval-faq``); ``temperature`` sharpens the vote
    towards the closest of the ``k`` lines.
    """

    weight: float = 0.0
    k: int = 10
    temperature: float = 0.05


class IntentClassifier(LinearTextClassifier):
    def __init__(self, options: ModelOptions | None = None, neighbours: NeighbourOptions | None = None) -> None:
        super().__init__(options)
        self.neighbours = neighbours or NeighbourOptions()
        # (unit embeddings of the training lines, float32; their label's index in ``classes``)
        self.memory: Optional[tuple[np.ndarray, np.ndarray]] = None

    def check_labels(self, labels: Sequence[str]) -> None:
        bad = {label for label in labels if label in NOT_LEARNED or label == RETRIEVAL_INTENT}
        if bad:
            raise ValueError(f"labels the intent model does not learn: {sorted(bad)}")

    def fit(self, texts: Sequence[str], embeddings: Optional[np.ndarray], labels: Sequence[str]) -> IntentClassifier:
        super().fit(texts, embeddings, labels)
        self.memory = None
        if self.neighbours.weight > 0 and embeddings is not None:
            index = {label: i for i, label in enumerate(self.classes)}
            self.memory = (_unit(embeddings), np.array([index[label] for label in labels], dtype=np.int32))
        return self

    def predict_proba(self, texts: Sequence[str], embeddings: Optional[np.ndarray]) -> np.ndarray:
        rows = super().predict_proba(texts, embeddings)
        if self.memory is None or embeddings is None:
            return rows
        weight = self.neighbours.weight
        return (1.0 - weight) * rows + weight * self.vote(embeddings)

    def vote(self, embeddings: np.ndarray) -> np.ndarray:
        """P(label) from the ``k`` nearest training lines, each weighted by exp(cosine / temperature)."""
        assert self.memory is not None
        memory, label_index = self.memory
        similarity = _unit(embeddings) @ memory.T
        k = min(self.neighbours.k, memory.shape[0])
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        out = np.zeros((similarity.shape[0], len(self.classes)))
        for row, columns in enumerate(nearest):
            scores = similarity[row, columns]
            weights = np.exp((scores - scores.max()) / self.neighbours.temperature)
            np.add.at(out[row], label_index[columns], weights)
            out[row] /= out[row].sum()
        return out

    def save(self, directory: Path) -> None:  # type: ignore[override]
        super().save(directory / MODEL_FILE)
        if self.memory is not None:
            n = self.neighbours
            np.savez(directory / NEIGHBOURS_FILE, embeddings=self.memory[0], labels=self.memory[1],
                     options=np.array([n.weight, n.k, n.temperature]))

    @classmethod
    def load(cls, directory: Path) -> IntentClassifier:  # type: ignore[override]
        classifier: IntentClassifier = super().load(directory / MODEL_FILE)  # no vote unless its file is there
        if (directory / NEIGHBOURS_FILE).exists():
            with np.load(directory / NEIGHBOURS_FILE) as stored:
                weight, k, temperature = (float(v) for v in stored["options"])
                classifier.neighbours = NeighbourOptions(weight, int(k), temperature)
                classifier.memory = (stored["embeddings"], stored["labels"])
        return classifier


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


@dataclass(frozen=True)
class IntentThresholds:
    fallback: float = 0.3
    topic: float = 0.2
    clarify: float = 0.6
    # A clarifying question needs a runner-up that is itself a plausible answer.
    clarify_min: float = 0.2


@dataclass
class Decision:
    intent: str
    confidence: float
    topic: Optional[str] = None
    topic_confidence: float = 0.0
    # (topic, P(topic | faq)), best first: the answer's alternatives and the buttons' source.
    topics: List[tuple[str, float]] = field(default_factory=list)
    # (intent, P(intent)), best first, FAQ topics summed into ``faq``.
    intents: List[tuple[str, float]] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        """What the visitor gets: ``faq/<topic>``, the clarifying question, the fallback or an intent."""
        return f"{RETRIEVAL_INTENT}/{self.topic}" if self.intent == RETRIEVAL_INTENT and self.topic else self.intent


def rank(row: np.ndarray, classes: Sequence[str]) -> tuple[List[tuple[str, float]], List[tuple[str, float]]]:
    """(intents with FAQ summed, topics conditional on FAQ), each best first."""
    intents: Dict[str, float] = {}
    topics: Dict[str, float] = {}
    for label, p in zip(classes, row, strict=True):
        if is_topic(label):
            topics[label.split("/", 1)[1]] = float(p)
            intents[RETRIEVAL_INTENT] = intents.get(RETRIEVAL_INTENT, 0.0) + float(p)
        else:
            intents[label] = float(p)
    faq = intents.get(RETRIEVAL_INTENT, 0.0)
    conditional = {t: (p / faq if faq > 0 else 0.0) for t, p in topics.items()}
    by_p = lambda pair: -pair[1]  # noqa: E731
    return sorted(intents.items(), key=by_p), sorted(conditional.items(), key=by_p)


def decide(row: np.ndarray, classes: Sequence[str], thresholds: IntentThresholds) -> Decision:
    intents, topics = rank(row, classes)
    intent, confidence = intents[0]
    decision = Decision(intent, confidence, topics=topics, intents=intents)
    if confidence < thresholds.fallback:
        decision.intent = FALLBACK_INTENT
        return decision
    if intent != RETRIEVAL_INTENT:
        return decision
    (first, q1), second = topics[0], topics[1] if len(topics) > 1 else ("", 0.0)
    decision.topic, decision.topic_confidence = first, q1
    if q1 < thresholds.topic:
        decision.intent, decision.topic = FALLBACK_INTENT, None
    elif second[1] >= thresholds.clarify_min and second[1] >= thresholds.clarify * q1:
        decision.intent = CLARIFY_INTENT
    return decision
