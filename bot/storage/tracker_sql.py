"""The SQL under the tracker store (``bot.storage.tracker_store``): engine, per-turn statements, event decoding, WAL checkpoint.

Split from the store so each file reads on its own: ``bot.storage.tracker_store`` decides
what is kept, for how long, and what happens while the database is down;
this module makes each of its round trips cheap (docs/performance.md):

- a SQLite file is kept open (a pool of connections) in WAL mode with
  ``synchronous=NORMAL``, so a turn's commit is an append to the log rather
  than a synced rollback journal, and deleted rows are overwritten on disk
  (``secure_delete``); PostgreSQL gets a small pool, pre-ping and short
  timeouts instead of Rasa's 150 connections per process;
- a turn's events are read with one precompiled query and written with one
  executemany, without ORM objects;
- events are deserialised without Rasa's per-event walk over every Event
  subclass.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any, Optional

from rasa.shared.core.events import Event, SessionStarted
from sqlalchemy import bindparam, create_engine, event, func, insert, or_, select
from sqlalchemy.engine import URL, Engine
from sqlalchemy.pool import QueuePool
from sqlalchemy.sql import Executable

logger = logging.getLogger(__name__)

# How long a SQLite statement waits for another process's write lock (the
# other Sanic worker, the retention purge) before failing the turn over to memory.
SQLITE_BUSY_SECONDS = 5.0


def _secure_delete(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA secure_delete=ON")
    cur.close()


def _sqlite_file_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL: a commit appends to the -wal file (no rollback journal to create,
    # sync and delete), readers and the one writer do not block each other,
    # and several processes can share the file (the busy timeout covers the
    # short write lock). synchronous=NORMAL in WAL mode syncs at checkpoints
    # only: a power cut may lose the last turns, never corrupt the file.
    _secure_delete(dbapi_conn, _record)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def is_sqlite_file(url: URL) -> bool:
    """A SQLite database on disk: WAL mode, and checkpoints after deletes."""
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")


def make_engine(url: URL) -> Engine:
    """The engine for the tracker store's database, configured for a turn's few cheap round trips."""
    if is_sqlite_file(url):
        # Kept connections: SQLAlchemy 1.4's default for a SQLite file
        # opens and closes one per session, i.e. twice a turn, and closing
        # the last one also checkpoints the WAL. check_same_thread: the
        # pool hands a connection to one thread at a time (event loop,
        # recovery thread). timeout is SQLite's busy timeout.
        engine = create_engine(
            url, poolclass=QueuePool, pool_size=5, max_overflow=5, pool_timeout=5,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS},
        )
        # Deleted rows (retention, "delete my data") are overwritten on
        # disk, not left readable in the file's free pages; and the WAL
        # is checkpointed and truncated after such deletes (checkpoint).
        event.listen(engine, "connect", _sqlite_file_pragmas)
        return engine
    if url.get_backend_name() == "sqlite":  # in memory: one connection, nothing on disk
        engine = create_engine(url)
        event.listen(engine, "connect", _secure_delete)
        return engine
    pool = int(os.environ.get("SQL_POOL_SIZE") or 5)
    overflow = int(os.environ.get("SQL_MAX_OVERFLOW") or 5)
    connect_args = {"connect_timeout": 3} if url.get_backend_name() == "postgresql" else {}
    # pre-ping: after a database restart a dead pooled connection is
    # replaced instead of failing the next turn; pool_timeout: a full
    # pool fails a turn in seconds rather than queueing it for ever.
    return create_engine(
        url, pool_size=pool, max_overflow=overflow, pool_pre_ping=True, pool_timeout=5, connect_args=connect_args
    )


@dataclass(frozen=True)
class Statements:
    """The per-turn statements, built once (Core, not ORM: no objects per row, no query building).

    The same SQL as Rasa's ``SQLTrackerStore._event_query``: a sender's
    events from its latest SessionStarted on (or all of them), in id order.
    """

    select_current: Executable
    select_all: Executable
    count_current: Executable
    insert: Executable

    @classmethod
    def for_table(cls, events: Any) -> Statements:
        sender = bindparam("sender_id")
        start = (
            select(func.max(events.c.timestamp).label("session_start"))
            .where(events.c.sender_id == sender, events.c.type_name == SessionStarted.type_name)
            .subquery()
        )
        current = (
            select(events.c.data)
            .where(events.c.sender_id == sender)
            .where(or_(events.c.timestamp >= start.c.session_start, start.c.session_start.is_(None)))
            .order_by(events.c.id)
        )
        return cls(
            select_current=current,
            select_all=select(events.c.data).where(events.c.sender_id == sender).order_by(events.c.id),
            count_current=select(func.count()).select_from(current.subquery()),
            insert=insert(events),
        )


# Event type name -> class, as Rasa's ``Event.resolve_by_type`` finds it. Rasa
# walks every (imported) Event subclass, with an ``inspect.isabstract`` per
# class, for each event it deserialises: a third of a retrieve. The classes
# are defined at import time and their type names are unique, so asking Rasa
# once per type name gives the same class.
_EVENT_CLASSES: dict[str, Optional[type[Event]]] = {}


def deserialise_events(serialised: list[dict[str, Any]]) -> list[Event]:
    """``rasa.shared.core.events.deserialise_events``, with the class lookup done once per type."""
    out = []
    for data in serialised:
        if "event" not in data:
            continue
        name = data["event"]
        if name is None:
            cls = None
        elif name in _EVENT_CLASSES:
            cls = _EVENT_CLASSES[name]
        else:
            cls = _EVENT_CLASSES[name] = Event.resolve_by_type(name)  # Rasa's own lookup (and error)
        restored = cls._from_parameters(data) if cls is not None else None
        if restored:
            out.append(restored)
        else:
            logger.warning("a stored event could not be deserialised (type %r); skipped", name)
    return out


def checkpoint(engine: Engine, wait_seconds: float) -> bool:
    """Copy a SQLite file's WAL into it and truncate the WAL; True when a reader kept it from finishing.

    secure_delete overwrites the deleted rows in the pages the delete
    writes, but in WAL mode those pages go to the -wal file first, and the
    frames the conversation was written in stay readable there until the
    log is reused. A TRUNCATE checkpoint puts the overwritten pages into
    the database file and empties the -wal file. It waits ``wait_seconds``
    for readers in other processes (shorter than a turn's busy timeout:
    while it waits, new writers wait behind it), then the connection's
    usual busy timeout is restored. Database errors are the caller's.
    """
    with engine.connect() as conn:
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait_seconds * 1000)}")
        try:
            return bool(conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0])
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_SECONDS * 1000)}")
