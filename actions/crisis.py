"""``action_crisis_resources``: the full list of helplines for the visitor's region.

Offered as a button in every crisis reply and run in a later turn, never in
the crisis turn itself. Reads the ``crisis_resources`` table; if the database
is unavailable it falls back to the same catalogue file the table is seeded
from, so the list still arrives.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import GuardedAction
from bot.resources import INTERNATIONAL, RegionInfo, emergency_text, format_helpline, load_catalogue, region_from_slots


def helplines_message(region: RegionInfo, channel: str) -> str:
    lines = [f"- {format_helpline(h, channel)}" for h in region.helplines]
    where = "for anywhere in the world" if region.code == INTERNATIONAL else f"for {region.name}"
    return (
        f"Here are the helplines I know {where}:\n"
        + "\n".join(lines)
        + f"\nIn an emergency, call {emergency_text(region, channel)}."
        + ("" if region.code == INTERNATIONAL else "\nIn another country? Tell me which one, for example \"I'm in Canada\".")
    )


def _from_database(code: str) -> RegionInfo | None:
    from bot.db.repository import HelplineRepository
    from bot.db.session import session_factory

    with session_factory().begin() as session:
        return HelplineRepository(session).region(code)


class ActionCrisisResources(GuardedAction):
    def name(self) -> str:
        return "action_crisis_resources"

    async def work(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        code = region_from_slots(tracker.get_slot)
        region = await asyncio.to_thread(_from_database, code)
        if region is None:  # database reachable but never seeded
            region = load_catalogue().region(code)
        dispatcher.utter_message(text=helplines_message(region, tracker.get_latest_input_channel() or ""))
        return []

    def fallback(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        region = load_catalogue().region(region_from_slots(tracker.get_slot))
        dispatcher.utter_message(text=helplines_message(region, tracker.get_latest_input_channel() or ""))
        return []
