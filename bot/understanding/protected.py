"""Entities only the project's own components may set, dropped when a client writes them in a slash command.

Rasa reads a message such as ``/crisis{"crisis_category": "abuse"}`` as that
intent with those entities (its ``RegexMessageHandler``, the last step of the
NLU graph), and the entities fill slots. Buttons use this form, so anyone can
type it too, and without this filter anyone could:

- file a crisis hand-off of any category into the audit rows and an
  organisation's counts (``crisis_category`` is the crisis model's verdict);
- name an EAP organisation (``tenant``: only a verified token may);
- pretend the channel located them (``channel_region``), or set the topic
  "tell me more" continues (``faq_topic``) or the region (``region``)
  without saying it in words.

The entities in :data:`PROTECTED_ENTITIES` are therefore removed from what a
slash command carries; the intent itself stays (buttons keep working), and
the same entities found by the project's components for this message (the
verified tenant and the channel's region from metadata) are kept. No button
of the project carries entities.
"""

from __future__ import annotations

import functools
from typing import Any, List, Optional

from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_TYPE, EXTRACTOR

# Set by bot.understanding.crisis_component, bot.understanding.context and bot.understanding.intent_component.
PROTECTED_ENTITIES = frozenset({"crisis_category", "tenant", "channel_region", "region", "faq_topic"})

_installed = False


def without_client_entities(found: List[dict], before: List[dict]) -> List[dict]:
    """The slash command's entities without protected ones, plus the protected ones our components had set."""
    kept = [e for e in found if e.get(ENTITY_ATTRIBUTE_TYPE) not in PROTECTED_ENTITIES]
    ours = [
        e for e in before
        if e.get(ENTITY_ATTRIBUTE_TYPE) in PROTECTED_ENTITIES and e.get(EXTRACTOR) != "RegexMessageHandler"
    ]
    return kept + ours


def install() -> None:
    """Wrap RegexMessageHandler.process (before a model is loaded); idempotent."""
    global _installed
    if _installed:
        return
    from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler

    stock = RegexMessageHandler.process

    # Rasa validates graph components' type hints at load: keep the stock method's (wraps resolves them there).
    @functools.wraps(stock)
    def process(self: Any, messages: List[Any], domain: Optional[Any] = None) -> List[Any]:
        before = [list(m.get(ENTITIES) or []) for m in messages]
        handled = stock(self, messages, domain)
        for original, entities, message in zip(messages, before, handled, strict=True):
            if message is not original:  # a slash command was unpacked into a new message
                message.set(ENTITIES, without_client_entities(message.get(ENTITIES) or [], entities), add_to_output=True)
        return handled

    RegexMessageHandler.process = process  # type: ignore[method-assign]
    _installed = True
