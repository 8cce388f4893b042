"""Conversation memory for the crisis model: the session's last user turns, from the tracker.

Rasa's NLU components see one message. Before the message is parsed, the
server puts a summary of the session's last user turns on the message's
metadata under ``crisis_context`` (their text, and the crisis verdict each
got), replacing anything a client sent under that name. ``CrisisModel`` reads
it to judge "i'm ready now" after "everyone would be better off without me".
Nothing new is stored: the texts and verdicts are already in the tracker.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.shared.core.events import ActionExecuted, Restarted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.understanding.crisis_component import CONTEXT_KEY

MAX_TURNS = 3
# After these replies the visitor chose to keep talking: what they write next is
# received as it is (bot.understanding.crisis_component), never a fallback.
LISTENING_AFTER = frozenset({"utter_crisis_keep_talking", "utter_crisis_received"})
_installed = False


def listening(tracker: DialogueStateTracker | None) -> bool:
    """Whether the bot's latest reply invited the visitor to say what is on their mind."""
    for event in reversed(tracker.events if tracker is not None else []):
        if isinstance(event, (SessionStarted, Restarted, UserUttered)):
            return False
        if isinstance(event, ActionExecuted) and event.action_name != "action_listen":
            return event.action_name in LISTENING_AFTER
    return False


def context_from_tracker(tracker: DialogueStateTracker | None, turns: int = MAX_TURNS) -> Dict[str, Any]:
    """The last ``turns`` user messages of the current session, oldest first, and whether the bot is listening."""
    found: List[Dict[str, Any]] = []
    for event in reversed(tracker.events if tracker is not None else []):
        if isinstance(event, (SessionStarted, Restarted)):
            break
        if isinstance(event, UserUttered) and event.text:
            verdict = (event.parse_data or {}).get("crisis") or {}
            found.append({"text": event.text, "risk": float(verdict.get("risk") or 0.0), "zone": verdict.get("zone")})
            if len(found) >= turns:
                break
    return {"turns": list(reversed(found)), "listening": listening(tracker)}


def install() -> None:
    """Wrap the processor's parse so every message carries its session's context (idempotent)."""
    global _installed
    if _installed:
        return
    from rasa.core.channels.channel import UserMessage
    from rasa.core.processor import MessageProcessor

    stock = MessageProcessor._parse_message_with_graph

    def parse(self: MessageProcessor, message: UserMessage, tracker: DialogueStateTracker, only_output_properties: bool = True) -> Dict[str, Any]:
        metadata = dict(message.metadata) if isinstance(message.metadata, dict) else {}
        metadata[CONTEXT_KEY] = context_from_tracker(tracker)
        with_context = UserMessage(
            text=message.text, output_channel=message.output_channel, sender_id=message.sender_id,
            parse_data=message.parse_data, input_channel=message.input_channel, message_id=message.message_id,
            metadata=metadata,
        )
        return stock(self, with_context, tracker, only_output_properties)

    parse.__wrapped_stock__ = stock  # type: ignore[attr-defined]
    MessageProcessor._parse_message_with_graph = parse  # type: ignore[method-assign]
    _installed = True
