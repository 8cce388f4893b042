"""``action_tell_me_more``: a follow-up on the topic just answered.

"Tell me more" means nothing on its own; the ``last_topic`` slot (set in the
Rasa process from the response selector's choice) says what it refers to. The
reply points to the related questions of that topic's answer, so the visitor
can go deeper without typing.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import GuardedAction
from bot.conversation.topics import topic_labels, topic_subjects


def more_sentence(topic: str, label: str) -> str:
    """The opening of the reply: the topic as a phrase, or its label quoted if it has none."""
    subject = topic_subjects().get(topic) or f'"{label}"'
    return (
        f"There's more to {subject} than fits in one answer. "
        "These questions go deeper, or ask me something more specific in your own words."
    )


def related_buttons(domain: Dict[str, Any], topic: str) -> List[Dict[str, Any]]:
    variants = (domain.get("responses") or {}).get(f"utter_faq/{topic}") or []
    if not variants:
        return []
    # The default (unconditioned) variant; the per-region variants carry the same buttons.
    default = next((v for v in variants if not v.get("condition")), variants[0])
    return list(default.get("buttons") or [])


class ActionTellMeMore(GuardedAction):
    def name(self) -> str:
        return "action_tell_me_more"

    async def work(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        topic = tracker.get_slot("last_topic")
        label = topic_labels().get(topic or "")
        if not label:
            dispatcher.utter_message(response="utter_ask_topic")
            return []
        buttons = related_buttons(domain, topic)
        dispatcher.utter_message(
            text=more_sentence(topic, label),
            buttons=buttons + [{"title": "Repeat the answer", "payload": f"/faq/{topic}"}],
        )
        return []

    def fallback(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        dispatcher.utter_message(response="utter_ask_topic")
        return []
