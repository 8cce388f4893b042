"""Base class for the project's actions: a deadline of their own, and no lost replies.

Rasa waits up to 300 seconds for the action server, so an action that hangs
on a database would leave a visitor staring at nothing for five minutes. Each
action here gets ``ACTION_TIMEOUT_SECONDS`` to do its work; past that, or on
any error, it sends its ``fallback`` reply instead.
"""

from __future__ import annotations

import abc
import asyncio
import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.core.settings import get_settings

logger = logging.getLogger(__name__)


class GuardedAction(Action, abc.ABC):
    """Abstract, so the action server registers only the concrete actions."""

    @abc.abstractmethod
    async def work(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        """The action's real work."""

    @abc.abstractmethod
    def fallback(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        """What to send when the work fails or overruns its deadline."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        scratch = CollectingDispatcher()
        try:
            events = await asyncio.wait_for(self.work(scratch, tracker, domain), get_settings().action_timeout_seconds)
        except Exception as exc:  # noqa: BLE001 - any failure gets the fallback reply
            logger.error("%s failed (%s); sent its fallback reply", self.name(), type(exc).__name__)
            return self.fallback(dispatcher, tracker, domain)
        dispatcher.messages.extend(scratch.messages)
        return events
