"""Guard the FAQ answer: fall back when the chosen topic itself is uncertain.

The intent classifier can be sure a message is *an FAQ question* (``faq`` at
0.95) while the ResponseSelector is unsure *which* topic (``faq/cbt`` at 0.2).
Rasa's FallbackClassifier only looks at the intent, so without this guard the
bot would confidently answer the wrong topic. Below ``threshold`` the intent
becomes ``nlu_fallback`` and the bot offers the closest topics instead.
When the answer stands, the topic id is emitted as the ``faq_topic`` entity so
the ``last_topic`` slot can serve follow-ups ("tell me more").
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.base import MessageComponent

RETRIEVAL_INTENT = "faq"
FALLBACK_INTENT = "nlu_fallback"


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
