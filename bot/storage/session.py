"""Engine and session factory, built lazily from DATABASE_URL.

One session per unit of work: ``with session_factory().begin() as session:``
commits on success and rolls back on error. There is no global session.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from bot.core import wiring
from bot.core.settings import SettingsError, get_settings


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` with pool sizes chosen for a chat workload.

    SQLite files get their parent folder created, WAL journaling (so the Rasa
    process and the action server can read while the other writes) and a busy
    timeout instead of immediate "database is locked" errors.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SettingsError(f"DATABASE_URL is not a valid database URL: {url!r}") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, future=True, connect_args={"timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    # Few, short transactions per message: a small pool per process is plenty,
    # and keeps N instances x M processes well under PostgreSQL's max_connections.
    return create_engine(url, future=True, pool_size=5, max_overflow=5, pool_pre_ping=True, pool_timeout=5)


def get_engine(url: str | None = None) -> Engine:
    """The process's engine for ``url`` (the settings' database by default): one pool per database."""
    target = url or get_settings().database_url
    return wiring.get(f"engine:{target}", lambda: make_engine(target), from_settings=True)


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(url), future=True, expire_on_commit=False)
