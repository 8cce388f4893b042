"""Response rendering with the conversation's context, inside the Rasa process.

Configured in endpoints.yml (``nlg: type: bot.nlg.ContextualNLG``). It renders
the domain's responses exactly as Rasa's own generator does, plus:

- ``resolved_region``: the visitor's region (channel metadata, then what they
  said, then ``DEFAULT_REGION``), so the crisis responses' per-region variants
  carry the right numbers in the crisis turn itself;
- ``crisis_situation``: ``perinatal`` when the message is about a baby, so a
  harm-to-others reply puts the baby's safety first (``bot.crisis.situation``);
- ``reply_language``: ``es`` when the crisis model read the message as
  Spanish, so the crisis replies' Spanish variants are chosen;
- after "No" to a crisis check-in, the answer to what the visitor had asked;
- after "keep talking", ``reflection``: a sentence that reflects what the
  visitor wrote, from a fixed vocabulary (``bot.crisis.reflect``);
- ``sensitive_topic``: which sensitive question was asked, so it gets its
  own answer (``bot.crisis.sensitive``);
- numbers become ``tel:``/``sms:`` links on the web, and crisis replies lose
  their buttons on SMS (one plain message, every number written out);
- the low-confidence fallback offers the topics closest to what was asked;
- each crisis hand-off is audited (``bot.audit``), off the event loop;
- for an EAP portal's visitor (the ``tenant`` slot, set from a verified
  token), the crisis replies and the cost/EAP answers add the organisation's
  EAP line, and its anonymous daily counters are updated (``bot.tenants``).

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
from rasa.shared.core.events import BotUttered, Restarted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import audit
from bot.crisis.reflect import reflect
from bot.crisis.sensitive import sensitive_topic
from bot.crisis.situation import situation
from bot.crisis.templates import CATEGORY_TEMPLATES
from bot.resources import LINK_CHANNELS, PLAIN_CHANNELS, linkify, region_from_slots
from bot.settings import ROOT, get_settings
from bot.tenants import analytics
from bot.tenants.directory import get_tenant
from bot.tenants.model import TenantInfo

logger = logging.getLogger(__name__)

HANDOFF_RESPONSES = {f"utter_crisis_{category}" for category in CATEGORY_TEMPLATES}
# The fallback reply; its buttons become the topics closest to what was asked.
SUGGESTION_RESPONSE = "utter_default"
MAX_SUGGESTIONS = 3
# The clarifying question between two close topics: its buttons are those two.
CLARIFY_RESPONSE = "utter_faq_clarify"
# What the visitor wrote after "keep talking" is received with a reflection of it.
RECEIVED = "utter_crisis_received"
# A sensitive question gets the answer for what it asks (bot.crisis.sensitive).
SENSITIVE = "utter_sensitive_question"
# The reply to "I'm in Canada": generated with the crisis responses, numbers included.
REGION_NOTED = "utter_region_noted"
# After "No" to the check-in, the question the visitor had asked is answered.
CHECK_IN_DECLINED = "utter_crisis_check_in_declined"
CHECK_IN_INTENT = "crisis_check_in"
# Answers that talk about paying for therapy or reaching a person: a tenant's visitor hears about their free EAP there.
EAP_TOPICS = {"utter_faq/eap", "utter_faq/costs_insurance", "utter_faq/low_cost_options", "utter_human_handoff"}


@functools.lru_cache(maxsize=1)
def _topics() -> tuple[dict[str, Any], ...]:
    with open(ROOT / "data" / "knowledge" / "topics.yml", encoding="utf-8") as fh:
        return tuple(yaml.safe_load(fh)["topics"])


def topic_labels() -> dict[str, str]:
    """Topic id -> its button label."""
    return {t["id"]: t["label"] for t in _topics()}


def topic_subjects() -> dict[str, str]:
    """Topic id -> the topic as a phrase that reads inside a sentence."""
    return {t["id"]: t["subject"] for t in _topics() if t.get("subject")}


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


def first_reply_of_session(tracker: DialogueStateTracker) -> bool:
    """No bot message since the session (or a restart) began: newest first, so it stops early."""
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered):
            return False
        if isinstance(event, (SessionStarted, Restarted)):
            return True
    return True


class ContextualNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None, **_: Any) -> None:
        super().__init__((domain or Domain.empty()).responses)

    def context_slots(self, tracker: DialogueStateTracker) -> Dict[str, Any]:
        return {
            "resolved_region": region_from_slots(tracker.get_slot),
            "retention_days": str(get_settings().retention_days),
            "reply_language": reply_language(tracker),
            "crisis_situation": situation((tracker.latest_message.text or "") if tracker.latest_message else ""),
        }

    async def generate(
        self, utter_action: str, tracker: DialogueStateTracker, output_channel: str, **kwargs: Any
    ) -> Optional[Dict[str, Any]]:
        filled_slots = tracker.current_slot_values()
        tenant = self.tenant(tracker)
        try:
            filled_slots.update(self.context_slots(tracker))
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
        if utter_action in HANDOFF_RESPONSES:
            self.audit(utter_action, tracker, output_channel, filled_slots.get("resolved_region") or "", tenant)
        if tenant is not None:
            self.count(utter_action, tracker, tenant)
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
    def tenant(tracker: DialogueStateTracker) -> Optional[TenantInfo]:
        slug = tracker.get_slot("tenant")
        if not slug:
            return None
        try:
            return get_tenant(slug)
        except Exception:  # noqa: BLE001 - the public reply is complete without the tenant
            logger.exception("tenant look-up failed")
            return None

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

    @staticmethod
    def count(utter_action: str, tracker: DialogueStateTracker, tenant: TenantInfo) -> None:
        # The first reply of a session marks a conversation; no text or sender is kept.
        if first_reply_of_session(tracker):
            analytics.record(tenant.slug, "conversation")
        if utter_action.startswith("utter_faq/"):
            analytics.record(tenant.slug, "topic", utter_action.removeprefix("utter_faq/"))
        elif utter_action in HANDOFF_RESPONSES:
            analytics.record(tenant.slug, "crisis")

    def adapt(
        self, utter_action: str, message: Dict[str, Any], tracker: DialogueStateTracker, output_channel: str
    ) -> Dict[str, Any]:
        # "I'm in Canada" answers with Canada's main number: a crisis number like the others.
        is_crisis = "crisis" in utter_action or utter_action == REGION_NOTED
        if is_crisis and output_channel in LINK_CHANNELS and message.get("text"):
            message["text"] = linkify(message["text"])
        if is_crisis and output_channel in PLAIN_CHANNELS:
            message["buttons"] = []
        if utter_action in (SUGGESTION_RESPONSE, CLARIFY_RESPONSE):
            limit = 2 if utter_action == CLARIFY_RESPONSE else MAX_SUGGESTIONS
            topics = closest_topics(tracker.latest_message.parse_data if tracker.latest_message else {}, limit)
            labels = topic_labels()
            if topics:
                # Buttons that are not topics ("let me rephrase") stay, after the topics.
                others = [b for b in message.get("buttons") or [] if not str(b.get("payload", "")).startswith("/faq/")]
                message["buttons"] = [{"title": labels.get(t, t), "payload": f"/faq/{t}"} for t in topics] + others
        return message

    @staticmethod
    def audit(
        utter_action: str, tracker: DialogueStateTracker, output_channel: str, region: str,
        tenant: Optional[TenantInfo] = None,
    ) -> None:
        latest = tracker.latest_message.parse_data if tracker.latest_message else {}
        verdict = latest.get("crisis") or {}
        audit.record(
            channel=output_channel,
            tenant=tenant.slug if tenant else None,
            region=region,
            category=utter_action.removeprefix("utter_crisis_"),
            # A hand-off that follows a "yes" to the check-in question.
            layer=(verdict.get("layer") or "model") if verdict.get("zone") == "handoff" else "check_in",
            sender_id=tracker.sender_id,
        )
