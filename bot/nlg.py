"""Response rendering with the conversation's context, inside the Rasa process.

Configured in endpoints.yml (``nlg: type: bot.nlg.ContextualNLG``). It renders
the domain's responses exactly as Rasa's own generator does, plus:

- ``resolved_region``: the visitor's region (channel metadata, then what they
  said, then ``DEFAULT_REGION``), so the crisis responses' per-region variants
  carry the right numbers in the crisis turn itself;
- numbers become ``tel:``/``sms:`` links on the web, and crisis replies lose
  their buttons on SMS (one plain message, every number written out);
- the low-confidence fallback offers the topics closest to what was asked;
- each crisis hand-off is audited (``bot.audit``), off the event loop.

Anything that goes wrong here degrades to Rasa's plain rendering: a reply is
never lost to an error in the extras.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Dict, List, Optional

import yaml
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import audit
from bot.crisis.templates import CATEGORY_TEMPLATES
from bot.resources import LINK_CHANNELS, PLAIN_CHANNELS, linkify, region_from_slots
from bot.settings import ROOT, get_settings

logger = logging.getLogger(__name__)

HANDOFF_RESPONSES = {f"utter_crisis_{category}" for category in CATEGORY_TEMPLATES}
# The fallback reply; its buttons become the topics closest to what was asked.
SUGGESTION_RESPONSE = "utter_default"
MAX_SUGGESTIONS = 3


@functools.lru_cache(maxsize=1)
def topic_labels() -> dict[str, str]:
    with open(ROOT / "data" / "knowledge" / "topics.yml", encoding="utf-8") as fh:
        return {t["id"]: t["label"] for t in yaml.safe_load(fh)["topics"]}


def closest_topics(parse_data: Dict[str, Any], limit: int = MAX_SUGGESTIONS) -> List[str]:
    """Topic ids from the response selector's ranking for this message, best first."""
    ranking = ((parse_data.get("response_selector") or {}).get("faq") or {}).get("ranking") or []
    topics = []
    for entry in ranking:
        key = entry.get("intent_response_key") or ""
        if key.startswith("faq/") and key[4:] not in topics:
            topics.append(key[4:])
    return topics[:limit]


class ContextualNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None, **_: Any) -> None:
        super().__init__((domain or Domain.empty()).responses)

    def context_slots(self, tracker: DialogueStateTracker) -> Dict[str, Any]:
        return {"resolved_region": region_from_slots(tracker.get_slot), "retention_days": str(get_settings().retention_days)}

    async def generate(
        self, utter_action: str, tracker: DialogueStateTracker, output_channel: str, **kwargs: Any
    ) -> Optional[Dict[str, Any]]:
        filled_slots = tracker.current_slot_values()
        try:
            filled_slots.update(self.context_slots(tracker))
        except Exception:  # noqa: BLE001 - fall back to the default variant, never to nothing
            logger.exception("could not resolve the conversation context; using default responses")
        message = self.generate_from_slots(utter_action, filled_slots, output_channel, **kwargs)
        if message is None:
            return None
        try:
            message = self.adapt(utter_action, message, tracker, output_channel)
        except Exception:  # noqa: BLE001
            logger.exception("could not adapt response %s to channel %s", utter_action, output_channel)
        if utter_action in HANDOFF_RESPONSES:
            self.audit(utter_action, tracker, output_channel, filled_slots.get("resolved_region") or "")
        return message

    def adapt(
        self, utter_action: str, message: Dict[str, Any], tracker: DialogueStateTracker, output_channel: str
    ) -> Dict[str, Any]:
        is_crisis = "crisis" in utter_action
        if is_crisis and output_channel in LINK_CHANNELS and message.get("text"):
            message["text"] = linkify(message["text"])
        if is_crisis and output_channel in PLAIN_CHANNELS:
            message["buttons"] = []
        if utter_action == SUGGESTION_RESPONSE:
            topics = closest_topics(tracker.latest_message.parse_data if tracker.latest_message else {})
            labels = topic_labels()
            if topics:
                message["buttons"] = [{"title": labels.get(t, t), "payload": f"/faq/{t}"} for t in topics]
        return message

    @staticmethod
    def audit(utter_action: str, tracker: DialogueStateTracker, output_channel: str, region: str) -> None:
        latest = tracker.latest_message.parse_data if tracker.latest_message else {}
        verdict = latest.get("crisis") or {}
        audit.record(
            channel=output_channel,
            tenant=None,
            region=region,
            category=utter_action.removeprefix("utter_crisis_"),
            layer=verdict.get("layer") or "rule",
            sender_id=tracker.sender_id,
        )
