"""Rasa's SQL tracker store, storing less and surviving a database outage.

- Every event is redacted (``bot.privacy.redact_event``) on its way into the
  database, and a background thread deletes events older than RETENTION_DAYS
  once an hour, so the retention the privacy answer states holds even when
  nobody runs ``make purge``.
- When a visitor confirms "delete my data" (the bot sends
  ``utter_data_deleted``), the whole conversation is deleted instead of saved,
  together with the visitor's crisis audit rows.
- A SQLite file by default; ``database_url`` (TRACKER_STORE_URL) for a
  PostgreSQL shared by several servers, with a small pool (Rasa's default is
  150 connections per process), pre-ping and short timeouts.
- Database down: Rasa's own wrapper would log the error with the SQL
  parameters (message text) and silently start conversations afresh. Here
  the failure is logged once, without text; each conversation's turns are
  held in memory (bounded) and written when the database answers again, and
  ``healthy`` turns the readiness check red meanwhile. A database that is
  unreachable at start does not stop the server from starting.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import OrderedDict
from typing import Any, Optional

from rasa.core.tracker_store import SQLTrackerStore, TrackerStore, validate_port
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import create_engine, delete, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot.privacy import purge, redact_event
from bot.settings import get_settings

logger = logging.getLogger(__name__)
PURGE_INTERVAL_SECONDS = 3600
RETRY_SECONDS = 5.0
# Conversations held in memory while the database is down; beyond this the
# oldest held one is dropped (and counted in the log) rather than exhausting memory.
MAX_HELD = 5000
ERASE_RESPONSE = "utter_data_deleted"


def agent_tracker_store(agent: Any) -> Any:
    """The store an agent really uses: Rasa wraps it in a FailSafeTrackerStore (None without an agent)."""
    store = getattr(agent, "tracker_store", None)
    return getattr(store, "_tracker_store", store)


def _secure_delete(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA secure_delete=ON")
    cur.close()


class PrivateSQLTrackerStore(SQLTrackerStore):
    def __init__(  # noqa: PLR0913 - Rasa passes the endpoint's keys as keywords
        self,
        domain: Optional[Domain] = None,
        dialect: str = "sqlite",
        host: Optional[str] = None,
        port: Optional[int] = None,
        db: str = "rasa.db",
        username: Optional[str] = None,
        password: Optional[str] = None,
        event_broker: Any = None,
        login_db: Optional[str] = None,
        query: Optional[dict] = None,
        database_url: str = "",
        retention_job: bool = True,
        **kwargs: Any,
    ) -> None:
        # Not SQLTrackerStore.__init__: it loops until the database answers,
        # so a database outage at start would keep the whole server down.
        url = make_url(database_url) if database_url else make_url(
            self.get_db_url(dialect, host, validate_port(port), db, username, password, None, query)
        )
        if url.get_backend_name() == "sqlite":
            self.engine = create_engine(url)
            # Deleted rows (retention, "delete my data") are overwritten on
            # disk, not left readable in the file's free pages.
            event.listen(self.engine, "connect", _secure_delete)
        else:
            pool = int(os.environ.get("SQL_POOL_SIZE") or 5)
            overflow = int(os.environ.get("SQL_MAX_OVERFLOW") or 5)
            connect_args = {"connect_timeout": 3} if url.get_backend_name() == "postgresql" else {}
            # pre-ping: after a database restart a dead pooled connection is
            # replaced instead of failing the next turn; pool_timeout: a full
            # pool fails a turn in seconds rather than queueing it for ever.
            self.engine = create_engine(
                url, pool_size=pool, max_overflow=overflow, pool_pre_ping=True, pool_timeout=5, connect_args=connect_args
            )
        self.sessionmaker = sessionmaker(bind=self.engine)
        TrackerStore.__init__(self, domain, event_broker, **kwargs)
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._healthy = True
        self._tables_ready = False
        # sender -> events already in the database for its current session
        self._stored: OrderedDict[str, int] = OrderedDict()
        self._held: OrderedDict[str, DialogueStateTracker] = OrderedDict()
        self._dropped = 0
        try:
            self._ensure_tables()
        except SQLAlchemyError as exc:
            self._down(exc, "at start")
        threading.Thread(target=self._recover_periodically, name="tracker-store-recovery", daemon=True).start()
        if retention_job:
            threading.Thread(target=self._purge_periodically, name="retention-purge", daemon=True).start()

    # --- health -------------------------------------------------------------------------

    @property
    def healthy(self) -> bool:
        return self._healthy and self._tables_ready

    @property
    def held(self) -> int:
        return len(self._held)

    def ping(self) -> bool:
        """One round trip to the database (readiness checks call this)."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            if not self._tables_ready:
                self._ensure_tables()
        except SQLAlchemyError as exc:
            self._down(exc)
            return False
        return True

    def _ensure_tables(self) -> None:
        self.Base.metadata.create_all(self.engine)
        self._tables_ready = True

    def _down(self, exc: Exception, when: str = "") -> None:
        # Only the exception's type: its text can hold SQL parameters, i.e. message text.
        with self._lock:
            was_healthy, self._healthy = self._healthy, False
        if was_healthy:
            logger.error(
                "tracker store unavailable%s (%s): conversations are held in memory and written when it answers",
                f" {when}" if when else "", type(exc).__name__,
            )

    def _up(self) -> None:
        with self._lock:
            was_down, self._healthy = not self._healthy, True
        if was_down:
            logger.warning("tracker store available again; writing %d held conversations", len(self._held))

    def _recover_periodically(self) -> None:
        while not self._stop.wait(RETRY_SECONDS):
            if self._healthy and self._tables_ready and not self._held:
                continue
            try:
                with self.engine.connect() as conn:  # a real round trip before declaring it back
                    conn.execute(text("SELECT 1"))
                if not self._tables_ready:
                    self._ensure_tables()
                for sender in list(self._held):
                    self._flush(sender)
            except SQLAlchemyError as exc:
                self._down(exc)
                continue
            self._up()

    # --- reading and writing ---------------------------------------------------------------

    def _remember(self, sender_id: str, stored: int) -> None:
        with self._lock:
            self._stored[sender_id] = stored
            self._stored.move_to_end(sender_id)
            while len(self._stored) > MAX_HELD * 4:
                self._stored.popitem(last=False)

    def _hold(self, tracker: DialogueStateTracker) -> None:
        with self._lock:
            self._held[tracker.sender_id] = tracker
            self._held.move_to_end(tracker.sender_id)
            while len(self._held) > MAX_HELD:
                self._held.popitem(last=False)
                self._dropped += 1
                if self._dropped in (1, 100, 1000) or self._dropped % 10000 == 0:
                    logger.error("tracker store still down: %d held conversations dropped so far", self._dropped)

    def _flush(self, sender_id: str) -> None:
        with self._lock:
            tracker = self._held.get(sender_id)
            if tracker is None:
                return
            self._write(tracker)
            if self._held.get(sender_id) is tracker:
                del self._held[sender_id]

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        held = self._held.get(sender_id)
        if held is not None:
            try:
                self._flush(sender_id)
            except SQLAlchemyError as exc:
                self._down(exc)
                return held  # the conversation goes on in memory, whole
        try:
            tracker = await super().retrieve(sender_id)
        except SQLAlchemyError as exc:
            self._down(exc)
            self._remember(sender_id, 0)  # a new tracker: all its events are unsaved
            return None
        self._up()
        self._remember(sender_id, len(tracker.events) if tracker else 0)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        try:
            with self._lock:
                touched = self._write(tracker)
                self._held.pop(tracker.sender_id, None)
        except SQLAlchemyError as exc:
            self._down(exc)
            self._hold(tracker)
            return
        if touched:  # only a real round trip proves the database is back
            self._up()

    def _write(self, tracker: DialogueStateTracker) -> bool:
        """Store the tracker's new events; False when there was nothing to write (no database call)."""
        sender = tracker.sender_id
        known = self._stored.get(sender)
        if known is not None and known >= len(tracker.events):
            return False
        with self.session_scope() as session:
            events: list[Event] = (
                list(tracker.events)[known:] if known is not None else list(self._additional_events(session, tracker))
            )
            if any(isinstance(e, BotUttered) and (e.metadata or {}).get("utter_action") == ERASE_RESPONSE for e in events):
                self._erase(session, sender)
                session.commit()
                with self._lock:
                    self._stored.pop(sender, None)
                return True
            for e in events:
                data = redact_event(e.as_dict())
                session.add(
                    self.SQLEvent(
                        sender_id=sender,
                        type_name=e.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=(data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        self._remember(sender, len(tracker.events))
        return True

    # --- privacy --------------------------------------------------------------------------

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

    def _erase(self, session: Any, sender_id: str) -> int:
        deleted = session.execute(delete(self.SQLEvent).where(self.SQLEvent.sender_id == sender_id)).rowcount
        with self._lock:
            self._held.pop(sender_id, None)
        try:
            from bot.audit import erase_sender

            erase_sender(sender_id)
        except Exception as exc:  # noqa: BLE001 - the conversation itself is gone; say so once
            logger.error("crisis audit rows of an erased conversation not deleted (%s)", type(exc).__name__)
        logger.info("erased a conversation at the visitor's request (%d events)", deleted)
        return deleted

    def erase(self, sender_id: str) -> int:
        """Delete everything stored for ``sender_id`` (the REST erase endpoint); returns the event count."""
        with self.session_scope() as session:
            deleted = self._erase(session, sender_id)
            session.commit()
        with self._lock:
            self._stored.pop(sender_id, None)
        return deleted

    def close(self) -> None:
        self._stop.set()
        self.engine.dispose()
