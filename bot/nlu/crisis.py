"""The crisis gate: the last word on every message, before any policy runs.

Two layers decide together. The rule-based detector (``bot.crisis.detector``,
spaCy Matcher over lemmas) fires on explicit and disguised crisis language and
names a category; the trained classifier's ``crisis`` intent is the second
layer for phrasings no rule covers. Either one firing makes the intent
``crisis`` with a ``crisis_category`` entity, and the rules then hand over the
right helplines in this same turn, without the action server.

Messages that start with ``/`` are parsed by Rasa as a literal intent
(``/greet{...}``) *after* every component has run, which would silently drop
this verdict. When the detector fires on such a message, the slash is removed
so the verdict stands.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.crisis.detector import get_detector
from bot.nlu.base import MessageComponent

CRISIS_INTENT = "crisis"
FALLBACK_INTENT = "nlu_fallback"
# A classifier-only verdict carries no category; the general suicide-and-crisis
# reply (crisis line plus emergency number) fits every kind of crisis.
CLASSIFIER_CATEGORY = "suicide"


def _crisis_confidence(message: Message) -> float:
    for entry in message.get(INTENT_RANKING_KEY) or []:
        if entry.get("name") == CRISIS_INTENT:
            return float(entry.get("confidence") or 0.0)
    intent = message.get(INTENT) or {}
    return float(intent.get("confidence") or 0.0) if intent.get("name") == CRISIS_INTENT else 0.0


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisGate(MessageComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # classifier_threshold: the classifier's crisis confidence that counts even
        # when another intent ranks first (a missed crisis costs far more than an
        # extra list). demote_min_confidence: below it, the runner-up of a
        # ruled-out crisis intent is no answer at all, so the bot falls back.
        return {"classifier_threshold": 0.35, "demote_min_confidence": 0.2}

    def __init__(self, config: Dict[str, Any]) -> None:
        super().__init__(config)
        get_detector()  # build the matcher when the model loads, not on the first visitor's message

    def demote(self, message: Message) -> None:
        """The classifier said crisis but the rules ruled it out: take the next intent, or fall back."""
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") not in (CRISIS_INTENT, FALLBACK_INTENT)]
        best = ranking[0] if ranking and ranking[0].get("confidence", 0) >= self.config["demote_min_confidence"] else None
        message.set(INTENT, best or {"name": FALLBACK_INTENT, "confidence": 1.0}, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)

    def verdict(self, message: Message) -> Optional[dict]:
        text = message.get(TEXT) or ""
        assessment = get_detector().assess(text)
        detection = assessment.detection
        if detection is not None:
            return {"category": detection.category, "layer": "detector", "rule": detection.rule, "confidence": 1.0}
        if assessment.ruled_out:
            # The rules saw the crisis words and judged them in context ("i'm not
            # suicidal, just stressed", "this commute is killing me"); the
            # classifier sees the same words without that context.
            return None
        confidence = _crisis_confidence(message)
        if confidence >= self.config["classifier_threshold"] or (message.get(INTENT) or {}).get("name") == CRISIS_INTENT:
            return {"category": CLASSIFIER_CATEGORY, "layer": "classifier", "rule": "intent", "confidence": confidence}
        return None

    def process_one(self, message: Message) -> None:
        found = self.verdict(message)
        if found is None:
            if (message.get(INTENT) or {}).get("name") == CRISIS_INTENT:
                self.demote(message)
            return
        text = message.get(TEXT) or ""
        if text.lstrip().startswith("/"):
            message.set(TEXT, text.lstrip()[1:])
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != CRISIS_INTENT]
        top = {"name": CRISIS_INTENT, "confidence": found["confidence"]}
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [top] + ranking, add_to_output=True)
        message.set(CRISIS_INTENT, {k: found[k] for k in ("category", "layer", "rule")}, add_to_output=True)
        self.add_entity(message, "crisis_category", found["category"])
