"""The intent model as a Rasa component: intent, FAQ topic and the response selector's output in one step.

It replaces DIETClassifier, ResponseSelector, FallbackClassifier and the old
topic guard: one linear model on the shared sentence embedding (computed once
by ``SentenceEncoderFeaturizer``) and n-grams, and one decision
(``intent_model.decide``). It writes what Rasa's own components would have
written, so the rules and ``utter_faq`` work unchanged:

- ``intent`` / ``intent_ranking`` (FAQ topics summed into ``faq``);
- ``response_selector["faq"]`` with the chosen topic's ``utter_faq/<topic>``
  and the topic ranking (the fallback's and the clarifying question's buttons);
- the ``faq_topic`` entity for an answered topic, which fills ``last_topic``.

A topic button's payload (``/faq/<topic>``) is answered with that topic exactly.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core import wiring
from bot.understanding.encoder import get_encoder
from bot.understanding.featurizer import sentence_embedding
from bot.understanding.intent_model import (
    NOT_LEARNED,
    RETRIEVAL_INTENT,
    Decision,
    IntentClassifier,
    IntentThresholds,
    NeighbourOptions,
    decide,
    label_of,
)
from bot.understanding.linear import ModelOptions

SELECTOR_KEY = "response_selector"
RANKING_LENGTH = 10
TOPIC_ENTITY = "faq_topic"
_PAYLOAD = re.compile(r"^\s*/faq/([a-z0-9_]+)\s*$")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class IntentModel(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        defaults = IntentThresholds()
        return {
            # Chosen on the dev sets (make eval-faq ARGS=--choose), then frozen.
            "fallback_threshold": defaults.fallback,
            "topic_threshold": defaults.topic,
            "clarify_ratio": defaults.clarify,
            "clarify_min": defaults.clarify_min,
            "c": 8.0,
            "char_ngrams": True,
            "word_ngrams": True,
            # The nearest training lines' vote (intent_model.NeighbourOptions); 0 switches it off.
            "neighbour_weight": NeighbourOptions.weight,
            "neighbour_k": NeighbourOptions.k,
            "neighbour_temperature": NeighbourOptions.temperature,
        }

    def __init__(
        self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
        classifier: Optional[IntentClassifier] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self.thresholds = IntentThresholds(
            float(self.config["fallback_threshold"]), float(self.config["topic_threshold"]),
            float(self.config["clarify_ratio"]), float(self.config["clarify_min"]),
        )
        self._storage, self._resource = model_storage, resource
        self.classifier = classifier

    @classmethod
    def create(
        cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> IntentModel:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext, **kwargs: Any,
    ) -> IntentModel:
        with model_storage.read_from(resource) as directory:
            classifier = IntentClassifier.load(Path(directory))
        component = cls(config, model_storage, resource, classifier)
        wiring.put("intent_model", component)  # make eval-faq re-decides its scores under other thresholds
        return component

    # -- training -------------------------------------------------------------
    def train(self, training_data: TrainingData) -> Resource:
        pairs = [
            (m.get(TEXT), label_of(m.get(INTENT) or "", m.get(INTENT_RESPONSE_KEY)))
            for m in training_data.intent_examples
            if m.get(TEXT) and (m.get(INTENT) or "") not in NOT_LEARNED
        ]
        texts, labels = [t for t, _ in pairs], [label for _, label in pairs]
        embeddings = np.stack([self._embedding(m) for m in training_data.intent_examples
                               if m.get(TEXT) and (m.get(INTENT) or "") not in NOT_LEARNED])
        options = ModelOptions(c=float(self.config["c"]), char_ngrams=bool(self.config["char_ngrams"]),
                               word_ngrams=bool(self.config["word_ngrams"]))
        classifier = IntentClassifier(options, self.neighbour_options()).fit(texts, embeddings, labels)
        self.classifier = classifier
        with self._storage.write_to(self._resource) as directory:
            classifier.save(Path(directory))
        return self._resource

    def neighbour_options(self) -> NeighbourOptions:
        return NeighbourOptions(float(self.config["neighbour_weight"]), int(self.config["neighbour_k"]),
                                float(self.config["neighbour_temperature"]))

    @staticmethod
    def _embedding(message: Message) -> np.ndarray:
        vector = sentence_embedding(message)
        return vector if vector is not None else get_encoder().encode([message.get(TEXT)])[0]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    # -- parsing --------------------------------------------------------------
    def topics(self) -> frozenset[str]:
        if self.classifier is None:
            return frozenset()
        return frozenset(c.split("/", 1)[1] for c in self.classifier.classes if c.startswith(RETRIEVAL_INTENT + "/"))

    def classify(self, text: str, embedding: Optional[np.ndarray] = None) -> Decision:
        if self.classifier is None:
            raise RuntimeError("the intent model is not trained")
        vector = embedding if embedding is not None else get_encoder().encode([text])[0]
        row = self.classifier.predict_proba([text], vector[np.newaxis, :])[0]
        return decide(row, self.classifier.classes, self.thresholds)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            payload = _PAYLOAD.match(text)
            if payload and self.classifier is not None and payload.group(1) in self.topics():
                topic = payload.group(1)
                decision = Decision(RETRIEVAL_INTENT, 1.0, topic, 1.0, [(topic, 1.0)], [(RETRIEVAL_INTENT, 1.0)])
            else:
                decision = self.classify(text, sentence_embedding(message))
            self.apply(message, decision)
        return messages

    @staticmethod
    def apply(message: Message, decision: Decision) -> None:
        intent: Dict[str, Any] = {"name": decision.intent, "confidence": round(decision.confidence, 4)}
        if decision.intent == RETRIEVAL_INTENT and decision.topic:
            intent["full_retrieval_intent_name"] = f"{RETRIEVAL_INTENT}/{decision.topic}"
        ranking = [{"name": n, "confidence": round(p, 4)} for n, p in decision.intents[:RANKING_LENGTH]]
        if decision.intent not in dict(decision.intents):
            ranking = [intent, *ranking]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        if decision.topics:
            topic, confidence = (decision.topic, decision.topic_confidence) if decision.topic else decision.topics[0]
            key = f"{RETRIEVAL_INTENT}/{topic}"
            message.set(SELECTOR_KEY, {
                "all_retrieval_intents": [RETRIEVAL_INTENT],
                RETRIEVAL_INTENT: {
                    "response": {"responses": None, "confidence": round(confidence, 4),
                                 "intent_response_key": key, "utter_action": f"utter_{key}"},
                    "ranking": [{"id": None, "confidence": round(p, 4), "intent_response_key": f"{RETRIEVAL_INTENT}/{t}"}
                                for t, p in decision.topics[:RANKING_LENGTH]],
                },
            }, add_to_output=True)
        # Only this component names the topic: a client-sent faq_topic is dropped.
        entities = [e for e in message.get(ENTITIES) or [] if e.get("entity") != TOPIC_ENTITY]
        if decision.intent == RETRIEVAL_INTENT and decision.topic:
            entities.append({"entity": TOPIC_ENTITY, "value": decision.topic, "start": 0, "end": len(message.get(TEXT) or ""),
                             "confidence": 1.0, "extractor": IntentModel.__name__})
        message.set(ENTITIES, entities, add_to_output=True)
