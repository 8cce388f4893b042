"""Rasa's SQL tracker store, storing less.

Every event is redacted (``bot.privacy.redact_event``) on its way into the
database, and a background thread deletes events older than RETENTION_DAYS
once an hour, so the retention the privacy answer states holds even when
nobody runs ``make purge``.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.privacy import purge, redact_event
from bot.settings import get_settings

logger = logging.getLogger(__name__)
PURGE_INTERVAL_SECONDS = 3600


class PrivateSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, retention_job: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stop = threading.Event()
        if retention_job:
            threading.Thread(target=self._purge_periodically, name="retention-purge", daemon=True).start()

    def _purge_periodically(self) -> None:
        days = get_settings().retention_days
        url = self.engine.url.render_as_string(hide_password=False)
        while not self._stop.is_set():
            try:
                deleted = purge(url, days)
                if deleted:
                    logger.info("retention: deleted %d events older than %d days", deleted, days)
            except Exception as exc:  # noqa: BLE001 - retry at the next interval
                logger.error("retention purge failed (%s); will retry", type(exc).__name__)
            self._stop.wait(PURGE_INTERVAL_SECONDS)

    async def save(self, tracker: DialogueStateTracker) -> None:
        # Same as SQLTrackerStore.save, with each event redacted before it is written.
        await self.stream_events(tracker)
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = redact_event(event.as_dict())
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=(data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
