"""Response rendering with the conversation's context, inside the Rasa process.

Configured in endpoints.yml (``nlg: type: bot.conversation.nlg.ContextualNLG``). It renders
the domain's responses exactly as Rasa's own generator does, plus:

- ``resolved_region``: the visitor's region (channel metadata, then what they
  said, then ``DEFAULT_REGION``), so the crisis responses' per-region variants
  carry the right numbers in the crisis turn itself;
- ``crisis_situation``: the situation within the reply's category, read from the
  words (``bot.conversation.crisis.situation``): a harm-to-others reply about a baby
  puts the baby's safety first; a child writing about themselves and an adult
  worried about a child get their own replies; immediate danger gets the line
  that fits the danger;
- ``reply_language``: ``es`` when the crisis model read the message as
  Spanish, so the crisis replies' Spanish variants are chosen;
- after "No" to a crisis check-in, the answer to what the visitor had asked;
- after "keep talking", ``reflection``: a sentence that reflects what the
  visitor wrote, from a fixed vocabulary (``bot.conversation.crisis.reflect``);
- ``sensitive_topic``: which sensitive question was asked, so it gets its
  own answer (``bot.conversation.crisis.sensitive``);
- numbers become ``tel:``/``sms:`` links on the web, and crisis replies lose
  their buttons on SMS (one plain message, every number written out);
- on the web widget's channel every reply carries ``region``, the country whose
  numbers the bot now gives (the catalogue's code, ``INTL`` for any other), so
  the widget's "Need help now?" panel follows a country the visitor named
  (``bot.channels.socketio.RegionSocketIOOutput`` sends it);
- the low-confidence fallback offers the topics closest to what was asked;
- for an EAP portal's visitor (the ``tenant`` slot, set from a verified
  token), the crisis replies and the cost/EAP answers add the organisation's
  EAP line.

Rendering writes nothing: the crisis audit rows and the tenants' counters are
written after the reply is sent, from the action's events (``bot.runtime.bookkeeping``).

Anything that goes wrong here degrades to Rasa's plain rendering: a reply is
never lost to an error in the extras.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Restarted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.conversation.crisis.reflect import reflect
from bot.conversation.crisis.sensitive import sensitive_topic
from bot.conversation.crisis.situation import GENERAL, situation
from bot.conversation.crisis.templates import HANDOFF_RESPONSES
from bot.conversation.helplines import LINK_CHANNELS, PLAIN_CHANNELS, linkify, load_catalogue, region_from_slots
from bot.conversation.topics import topic_labels
from bot.core.settings import get_settings
from bot.tenants.directory import find_tenant
from bot.tenants.model import TenantInfo

logger = logging.getLogger(__name__)

# The fallback reply; its buttons become the topics closest to what was asked.
SUGGESTION_RESPONSE = "utter_default"
MAX_SUGGESTIONS = 3
# The clarifying question between two close topics: its buttons are those two.
CLARIFY_RESPONSE = "utter_faq_clarify"
# What the visitor wrote after "keep talking" is received with a reflection of it.
RECEIVED = "utter_crisis_received"
# A sensitive question gets the answer for what it asks (bot.conversation.crisis.sensitive).
SENSITIVE = "utter_sensitive_question"
# The reply to "I'm in Canada": generated with the crisis responses, numbers included.
REGION_NOTED = "utter_region_noted"
# After "No" to the check-in, the question the visitor had asked is answered.
CHECK_IN_DECLINED = "utter_crisis_check_in_declined"
CHECK_IN_INTENT = "crisis_check_in"
# Channels whose client shows a help panel of its own: each reply tells it the region.
REGION_CHANNELS = {"socketio"}
# Answers that talk about paying for therapy or reaching a person: a tenant's visitor hears about their free EAP there.
EAP_TOPICS = {"utter_faq/eap", "utter_faq/costs_insurance", "utter_faq/low_cost_options", "utter_human_handoff"}


def closest_topics(parse_data: Dict[str, Any], limit: int = MAX_SUGGESTIONS) -> List[str]:
    """Topic ids from the response selector's ranking for this message, best first."""
    ranking = ((parse_data.get("response_selector") or {}).get("faq") or {}).get("ranking") or []
    topics = []
    for entry in ranking:
        key = entry.get("intent_response_key") or ""
        if key.startswith("faq/") and key[4:] not in topics:
            topics.append(key[4:])
    return topics[:limit]


def reply_language(tracker: DialogueStateTracker) -> str:
    latest = tracker.latest_message.parse_data if tracker.latest_message else {}
    return "es" if (latest.get("crisis") or {}).get("language") == "es" else "en"


def checked_in_topic(tracker: DialogueStateTracker) -> Optional[str]:
    """The FAQ topic of the message that led to the latest check-in, if it asked one."""
    for event in reversed(tracker.events):
        if isinstance(event, (SessionStarted, Restarted)):
            return None
        if isinstance(event, UserUttered) and (event.intent or {}).get("name") == CHECK_IN_INTENT:
            topics = [e.get("value") for e in event.entities or [] if e.get("entity") == "faq_topic"]
            return topics[0] if topics else None
    return None


class ContextualNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None, **_: Any) -> None:
        super().__init__((domain or Domain.empty()).responses)

    def context_slots(self, tracker: DialogueStateTracker, utter_action: str = "") -> Dict[str, Any]:
        category = utter_action.removeprefix("utter_crisis_") if utter_action in HANDOFF_RESPONSES else None
        latest_text = (tracker.latest_message.text or "") if tracker.latest_message else ""
        return {
            "resolved_region": region_from_slots(tracker.get_slot),
            "retention_days": str(get_settings().retention_days),
            "reply_language": reply_language(tracker),
            "crisis_situation": situation(latest_text, category) if category else GENERAL,
        }

    async def generate(
        self, utter_action: str, tracker: DialogueStateTracker, output_channel: str, **kwargs: Any
    ) -> Optional[Dict[str, Any]]:
        filled_slots = tracker.current_slot_values()
        tenant = find_tenant(tracker.get_slot("tenant"))
        try:
            filled_slots.update(self.context_slots(tracker, utter_action))
            latest_text = (tracker.latest_message.text or "") if tracker.latest_message is not None else ""
            if utter_action == RECEIVED:
                filled_slots["reflection"] = reflect(latest_text)
            elif utter_action == SENSITIVE:
                filled_slots["sensitive_topic"] = sensitive_topic(latest_text)
        except Exception:  # noqa: BLE001 - fall back to the default variant, never to nothing
            logger.exception("could not resolve the conversation context; using default responses")
        message = self.generate_from_slots(utter_action, filled_slots, output_channel, **kwargs)
        if message is None:
            return None
        if utter_action == CHECK_IN_DECLINED:
            message = self.with_declined_answer(message, tracker, filled_slots, output_channel, **kwargs)
        try:
            if tenant is not None:
                message = self.add_tenant_lines(utter_action, message, tenant)
        except Exception:  # noqa: BLE001
            logger.exception("could not add the organisation's lines to %s", utter_action)
        try:
            message = self.adapt(utter_action, message, tracker, output_channel)
        except Exception:  # noqa: BLE001
            logger.exception("could not adapt response %s to channel %s", utter_action, output_channel)
        return message

    def with_declined_answer(
        self, message: Dict[str, Any], tracker: DialogueStateTracker, filled_slots: Dict[str, Any],
        output_channel: str, **kwargs: Any,
    ) -> Dict[str, Any]:
        """"No" to the check-in: thank them, then answer the question they came with (or invite one)."""
        topic = checked_in_topic(tracker)
        answer = self.generate_from_slots(f"utter_faq/{topic}", filled_slots, output_channel, **kwargs) if topic else None
        tail = (answer or {}).get("text") or "What would you like to know about therapy?"
        message["text"] = f"{message.get('text') or ''}\n\n{tail}"
        return message

    @staticmethod
    def add_tenant_lines(utter_action: str, message: Dict[str, Any], tenant: TenantInfo) -> Dict[str, Any]:
        """The organisation's EAP line after the public helplines, never instead of them."""
        text = message.get("text") or ""
        if utter_action in HANDOFF_RESPONSES:
            extra = "\n".join(f"- {line}" for line in [tenant.eap_line(), *tenant.resource_lines()])
            message["text"] = f"{text}\nYour employer's support is there for you too:\n{extra}"
        elif utter_action in EAP_TOPICS:
            hours = f" ({tenant.eap_hours})" if tenant.eap_hours else ""
            message["text"] = (
                f"{text}\n\nYour employer's EAP, {tenant.display_name}, offers free, confidential sessions: "
                f"call {tenant.eap_phone}{hours}."
            )
        return message

    def adapt(
        self, utter_action: str, message: Dict[str, Any], tracker: DialogueStateTracker, output_channel: str
    ) -> Dict[str, Any]:
        # "I'm in Canada" answers with Canada's main number: a crisis number like the others.
        is_crisis = "crisis" in utter_action or utter_action == REGION_NOTED
        if is_crisis and output_channel in LINK_CHANNELS and message.get("text"):
            message["text"] = linkify(message["text"])
        if is_crisis and output_channel in PLAIN_CHANNELS:
            message["buttons"] = []
        if output_channel in REGION_CHANNELS:
            message["region"] = load_catalogue().region(region_from_slots(tracker.get_slot)).code
        if utter_action in (SUGGESTION_RESPONSE, CLARIFY_RESPONSE):
            limit = 2 if utter_action == CLARIFY_RESPONSE else MAX_SUGGESTIONS
            topics = closest_topics(tracker.latest_message.parse_data if tracker.latest_message else {}, limit)
            labels = topic_labels()
            if topics:
                # Buttons that are not topics ("let me rephrase") stay, after the topics.
                others = [b for b in message.get("buttons") or [] if not str(b.get("payload", "")).startswith("/faq/")]
                message["buttons"] = [{"title": labels.get(t, t), "payload": f"/faq/{t}"} for t in topics] + others
        return message
