"""``action_crisis_resources``: the full list of helplines for the visitor's region.

Offered as a button in every crisis reply and run in a later turn, never in
the crisis turn itself. Reads the helpline catalogue (``data/resources/helplines.yml``,
the one source every process reads), so the list never depends on a database.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import GuardedAction
from bot.conversation.helplines import (
    INTERNATIONAL,
    RegionInfo,
    emergency_text,
    format_helpline,
    load_catalogue,
    region_from_slots,
)


def helplines_message(region: RegionInfo, channel: str) -> str:
    lines = [f"- {format_helpline(h, channel)}" for h in region.helplines]
    where = "for anywhere in the world" if region.code == INTERNATIONAL else f"for {region.name}"
    return (
        f"Here are the helplines I know {where}:\n"
        + "\n".join(lines)
        + f"\nIn an emergency, call {emergency_text(region, channel)}."
        + ("" if region.code == INTERNATIONAL else "\nIn another country? Tell me which one, for example \"I'm in Canada\".")
    )


class ActionCrisisResources(GuardedAction):
    def name(self) -> str:
        return "action_crisis_resources"

    async def work(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        return self.fallback(dispatcher, tracker, domain)

    def fallback(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        # Needs nothing that can be down (the catalogue is a file read once), so the fallback is the work itself.
        region = load_catalogue().region(region_from_slots(tracker.get_slot))
        dispatcher.utter_message(text=helplines_message(region, tracker.get_latest_input_channel() or ""))
        return []
