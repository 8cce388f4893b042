"""Rasa's SQL tracker store, storing less and surviving a database outage.

- Every event is redacted (``bot.storage.privacy.redact_event``) on its way into the
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
- Cheap per turn (docs/performance.md): the engine, the precompiled
  per-turn statements and the event decoding are in ``bot.storage.tracker_sql``.
  The trackers returned are the ones Rasa's own retrieve builds. Several
  processes (Sanic workers) may share one SQLite file: see ``_known`` for
  why none skips or repeats another's events.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import weakref
from collections import OrderedDict
from typing import Any, Iterator, Optional

from rasa.core.tracker_store import SQLTrackerStore, TrackerStore, validate_port
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import delete, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot.core.settings import get_settings
from bot.core.versions import require_tested
from bot.storage.privacy import purge, redact_event
from bot.storage.tracker_sql import Statements, checkpoint, deserialise_events, is_sqlite_file, make_engine

logger = logging.getLogger(__name__)
PURGE_INTERVAL_SECONDS = 3600
RETRY_SECONDS = 5.0
# Conversations held in memory while the database is down; beyond this the
# oldest held one is dropped (and counted in the log) rather than exhausting memory.
MAX_HELD = 5000
ERASE_RESPONSE = "utter_data_deleted"
# How long a WAL checkpoint after an erase waits for other processes' readers.
# Shorter: while it waits, new writers wait behind it (a turn is delayed, not failed).
CHECKPOINT_BUSY_SECONDS = 1.0


def agent_tracker_store(agent: Any) -> Any:
    """The store an agent really uses: Rasa wraps it in a FailSafeTrackerStore (None without an agent)."""
    store = getattr(agent, "tracker_store", None)
    return getattr(store, "_tracker_store", store)


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
        require_tested()  # overrides SQLTrackerStore's internals (_retrieve, _additional_events)
        # Not SQLTrackerStore.__init__: it loops until the database answers,
        # so a database outage at start would keep the whole server down.
        url = make_url(database_url) if database_url else make_url(
            self.get_db_url(dialect, host, validate_port(port), db, username, password, None, query)
        )
        self._wal = is_sqlite_file(url)
        self.engine = make_engine(url)
        self.sessionmaker = sessionmaker(bind=self.engine)
        TrackerStore.__init__(self, domain, event_broker, **kwargs)
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._healthy = True
        self._tables_ready = False
        # sender -> (events already in the database for its current session,
        # the tracker object that count belongs to): see _known
        self._stored: OrderedDict[str, tuple[int, Optional[weakref.ref[DialogueStateTracker]]]] = OrderedDict()
        self._held: OrderedDict[str, DialogueStateTracker] = OrderedDict()
        self._dropped = 0
        self._checkpoint_due = False
        self._sql = Statements.for_table(self.SQLEvent.__table__)
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
            if self._healthy and self._tables_ready and not self._held and not self._checkpoint_due:
                continue
            try:
                with self.engine.connect() as conn:  # a real round trip before declaring it back
                    conn.execute(text("SELECT 1"))
                if not self._tables_ready:
                    self._ensure_tables()
                for sender in list(self._held):
                    self._flush(sender)
                if self._checkpoint_due:
                    self._checkpoint()
            except SQLAlchemyError as exc:
                self._down(exc)
                continue
            self._up()

    # --- reading and writing ---------------------------------------------------------------

    def _remember(self, sender_id: str, stored: int, tracker: Optional[DialogueStateTracker]) -> None:
        with self._lock:
            self._stored[sender_id] = (stored, weakref.ref(tracker) if tracker is not None else None)
            self._stored.move_to_end(sender_id)
            while len(self._stored) > MAX_HELD * 4:
                self._stored.popitem(last=False)

    def _known(self, tracker: DialogueStateTracker) -> Optional[int]:
        """How many of ``tracker``'s events are in the database, when this process knows; else None.

        Several processes may write one conversation (two Sanic workers on one
        SQLite file, several servers on one PostgreSQL), so a count this
        process saw some turns ago can be stale: trusting it would skip or
        repeat events another process wrote since. A count is only trusted
        for the very tracker object it was taken for. Rasa reads the
        conversation at the start of each turn (``retrieve``, inside the
        turn's lock, which is shared across processes when several run) and
        saves that same object at its end, so the count taken by the retrieve
        of this turn is current; ``_write`` then moves it on to what it wrote.
        Any other tracker (one this process did not read in this turn, or an
        event broker's ``stream_events`` retrieving a second copy) is counted
        in the database, as Rasa's own ``_additional_events`` does. No tracker
        (None) marks a conversation the database did not have, or could not
        be asked about: whatever tracker comes next for it is new throughout.
        """
        entry = self._stored.get(tracker.sender_id)
        if entry is None:
            return None
        count, ref = entry
        if ref is None or ref() is tracker:
            return count
        return None

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
            self._remember(sender_id, 0, None)  # a new tracker: all its events are unsaved
            return None
        self._up()
        self._remember(sender_id, len(tracker.events) if tracker else 0, tracker)
        return tracker

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        """Rasa's ``SQLTrackerStore._retrieve`` (``retrieve`` and ``retrieve_full_tracker``), same tracker, cheaper."""
        statement = self._sql.select_all if fetch_events_from_all_sessions else self._sql.select_current
        with self.session_scope() as session:
            rows = session.execute(statement, {"sender_id": sender_id}).scalars().all()
        if self.domain and rows:
            logger.debug("Recreating tracker from sender id '%s'", sender_id)
            return DialogueStateTracker.from_events(sender_id, deserialise_events([json.loads(r) for r in rows]),
                                                    self.domain.slots)
        logger.debug("Can't retrieve tracker matching sender id '%s' from SQL storage. Returning `None` instead.", sender_id)
        return None

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """Rasa's: the tracker's events past those of the current session in the database."""
        stored = session.execute(self._sql.count_current, {"sender_id": tracker.sender_id}).scalar()
        return itertools.islice(tracker.events, stored, len(tracker.events))

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
        known = self._known(tracker)
        if known is not None and known >= len(tracker.events):
            return False
        erased = False
        with self.session_scope() as session:
            events: list[Event] = (
                list(itertools.islice(tracker.events, known, None)) if known is not None
                else list(self._additional_events(session, tracker))
            )
            if any(isinstance(e, BotUttered) and (e.metadata or {}).get("utter_action") == ERASE_RESPONSE for e in events):
                self._erase(session, sender)
                session.commit()
                with self._lock:
                    self._stored.pop(sender, None)
                erased = True
            else:
                rows = []
                for e in events:
                    data = redact_event(e.as_dict())
                    rows.append({
                        "sender_id": sender,
                        "type_name": e.type_name,
                        "timestamp": data.get("timestamp"),
                        "intent_name": (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                        "action_name": data.get("name"),
                        "data": json.dumps(data),
                    })
                if rows:
                    session.execute(self._sql.insert, rows)  # one executemany for the turn
                session.commit()
        if erased:
            self._checkpoint()
            return True
        self._remember(sender, len(tracker.events), tracker)
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
                    self._checkpoint()
            except Exception as exc:  # noqa: BLE001 - retry at the next interval
                logger.error("retention purge failed (%s); will retry", type(exc).__name__)
            self._stop.wait(PURGE_INTERVAL_SECONDS)

    def _erase(self, session: Any, sender_id: str) -> int:
        deleted = session.execute(delete(self.SQLEvent).where(self.SQLEvent.sender_id == sender_id)).rowcount
        with self._lock:
            self._held.pop(sender_id, None)
        try:
            from bot.storage.audit import erase_sender

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
        self._checkpoint()
        return deleted

    def _checkpoint(self) -> None:
        """After deleting conversations from a SQLite file: empty its WAL (``bot.storage.tracker_sql.checkpoint``).

        If a reader in another process still holds an old snapshot, the
        recovery thread tries again.
        """
        if not self._wal:
            return
        try:
            busy = checkpoint(self.engine, CHECKPOINT_BUSY_SECONDS)
        except SQLAlchemyError as exc:
            if not self._checkpoint_due:
                logger.warning("WAL checkpoint after a delete failed (%s); will retry", type(exc).__name__)
            busy = True
        self._checkpoint_due = busy

    def close(self) -> None:
        self._stop.set()
        self.engine.dispose()
