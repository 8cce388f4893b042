"""A reply as Rasa makes it in a turn, without a model: rendered by the action, logged, sent, recorded.

``ActionBotResponse`` renders the response with the project's NLG (and marks
the reply with its ``utter_action``, as Rasa does), the events go on the
tracker, and ``MessageProcessor.execute_side_effects`` (with the hook that
``bot.runtime.patches`` installs in every server) sends them and then writes the
audit row and the tenant's counters (``bot.runtime.bookkeeping``).
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.core.actions.action import ActionBotResponse
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import NaturalLanguageGenerator
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker


class ChannelOutput(CollectingOutputChannel):
    """Collects what is sent, under a channel name of the test's choosing (the renderer shapes replies by it)."""

    def __init__(self, channel: str) -> None:
        super().__init__()
        self.channel = channel

    def name(self) -> str:  # type: ignore[override]  # the instance's channel, as bot.channels.namespace does
        return self.channel


async def reply(nlg: NaturalLanguageGenerator, name: str, tracker: DialogueStateTracker, channel: str,
                domain: Domain) -> List[Dict[str, Any]]:
    """Run response ``name`` in ``tracker``'s conversation as a server does; the messages sent."""
    from bot.runtime.patches import _bookkeeping_after_actions

    _bookkeeping_after_actions()  # only this hook; idempotent
    output = ChannelOutput(channel)
    events = await ActionBotResponse(name).run(output, nlg, tracker, domain)
    tracker.update_with_events(events, domain)
    # The processor's side effects use no state of their own for replies.
    processor = object.__new__(MessageProcessor)
    await processor.execute_side_effects(events, tracker, output)
    return output.messages
