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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

from bot.understanding.linear import LinearTextClassifier

RETRIEVAL_INTENT = "faq"
FALLBACK_INTENT = "nlu_fallback"
CLARIFY_INTENT = "faq_clarify"
MODEL_FILE = "intent_model.pkl"
# Decided by the crisis model, which has its own data; not labels of this one.
NOT_LEARNED = frozenset({"crisis", "crisis_check_in", "crisis_share", FALLBACK_INTENT, CLARIFY_INTENT})


def label_of(intent: str, response_key: Optional[str]) -> str:
    """The model's label for a training example: ``faq/<topic>`` for FAQ, else the intent."""
    return response_key if intent == RETRIEVAL_INTENT and response_key else intent


def is_topic(label: str) -> bool:
    return label.startswith(RETRIEVAL_INTENT + "/")


class IntentClassifier(LinearTextClassifier):
    def check_labels(self, labels: Sequence[str]) -> None:
        bad = {label for label in labels if label in NOT_LEARNED or label == RETRIEVAL_INTENT}
        if bad:
            raise ValueError(f"labels the intent model does not learn: {sorted(bad)}")

    def save(self, directory: Path) -> None:  # type: ignore[override]
        super().save(directory / MODEL_FILE)

    @classmethod
    def load(cls, directory: Path) -> IntentClassifier:  # type: ignore[override]
        return super().load(directory / MODEL_FILE)


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
