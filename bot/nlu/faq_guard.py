"""Guard the FAQ answer: fall back when the chosen topic itself is uncertain.

The intent classifier can be sure a message is *an FAQ question* (``faq`` at
0.95) while the ResponseSelector is unsure *which* topic (``faq/cbt`` at 0.2).
Rasa's FallbackClassifier only looks at the intent, so without this guard the
bot would confidently answer the wrong topic. Below ``threshold`` the intent
becomes ``nlu_fallback`` and the bot offers the closest topics instead.
When the answer stands, the topic id is emitted as the ``faq_topic`` entity so
the ``last_topic`` slot can serve follow-ups ("tell me more").

A topic button's payload (``/faq/<topic>``) is not an intent Rasa knows (the
domain lists only ``faq``), so Rasa reads it as typed text and the
classifiers guess. Here a payload naming a known topic is answered with that
topic, exactly.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Dict, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.base import MessageComponent

RETRIEVAL_INTENT = "faq"
FALLBACK_INTENT = "nlu_fallback"
_PAYLOAD_RE = re.compile(r"^\s*/faq/([a-z0-9_]+)\s*$")


@functools.lru_cache(maxsize=1)
def known_topics() -> frozenset[str]:
    from bot.nlg import topic_labels

    return frozenset(topic_labels())


def answer_payload(message: Message, topic: str) -> None:
    """Make ``message`` the FAQ question about ``topic`` with full confidence."""
    key = f"{RETRIEVAL_INTENT}/{topic}"
    message.set(INTENT, {"name": RETRIEVAL_INTENT, "confidence": 1.0, "full_retrieval_intent_name": key}, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [{"name": RETRIEVAL_INTENT, "confidence": 1.0}], add_to_output=True)
    selectors = dict(message.get("response_selector") or {})
    selector = dict(selectors.get(RETRIEVAL_INTENT) or {})
    ranking = [r for r in selector.get("ranking") or [] if r.get("intent_response_key") == key]
    response = dict(selector.get("response") or {})
    response.update(intent_response_key=key, confidence=1.0, utter_action=f"utter_{key}")
    if ranking and ranking[0].get("id") is not None:
        response["id"] = ranking[0]["id"]
    selector["response"] = response
    selector["ranking"] = [{**(ranking[0] if ranking else {}), "intent_response_key": key, "confidence": 1.0}]
    selectors[RETRIEVAL_INTENT] = selector
    message.set("response_selector", selectors, add_to_output=True)


def selected_topic(message: Message) -> tuple[Optional[str], float]:
    """The topic id the ResponseSelector chose for ``faq`` and its confidence."""
    selector = (message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    response = selector.get("response") or {}
    key = response.get("intent_response_key") or ""
    if not key.startswith(RETRIEVAL_INTENT + "/"):
        return None, 0.0
    return key.split("/", 1)[1], float(response.get("confidence") or 0.0)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class FaqGuard(MessageComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"threshold": 0.1}

    def process_one(self, message: Message) -> None:
        payload = _PAYLOAD_RE.match(message.get("text") or "")
        if payload and payload.group(1) in known_topics():
            answer_payload(message, payload.group(1))
            self.add_entity(message, "faq_topic", payload.group(1))
            return
        intent = message.get(INTENT) or {}
        if intent.get("name") != RETRIEVAL_INTENT:
            return
        topic, confidence = selected_topic(message)
        if topic is None or confidence < self.config["threshold"]:
            message.set(INTENT, {"name": FALLBACK_INTENT, "confidence": 1.0 - confidence}, add_to_output=True)
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != FALLBACK_INTENT]
            message.set(INTENT_RANKING_KEY, [{"name": FALLBACK_INTENT, "confidence": 1.0 - confidence}] + ranking, add_to_output=True)
            return
        self.add_entity(message, "faq_topic", topic)
