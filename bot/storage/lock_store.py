"""The lock store from one setting: in-process, a SQLite file shared by one machine's workers, or Redis.

endpoints.yml names this class with ``url: ${LOCK_STORE_URL}``.

- Empty, one Rasa worker: Rasa's in-memory lock store.
- Empty, several workers (``SANIC_WORKERS``, set by ``bot.runtime.run`` from
  RASA_WORKERS): a SQLite lock file, ``var/locks.db``. The workers are
  separate processes behind one port, so two messages of one conversation
  can reach two of them at once; in-process locks would let both turns run
  and one would overwrite the other's events.
- ``sqlite:////abs/path.db``: that lock file.
- ``redis://[:password@]host:port/db`` (``rediss://`` for TLS): Rasa's Redis
  lock store, which serialises the turns of one conversation across every
  server that shares it.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Iterator, Optional
from urllib.parse import unquote, urlparse

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import RedisError

from bot.core.settings import SettingsError
from bot.core.versions import require_tested

logger = logging.getLogger(__name__)
KEY_PREFIX = "therapyfaq"  # Rasa accepts letters and digits only
# A Redis that stops answering must fail a turn within seconds, not hang it.
SOCKET_TIMEOUT_SECONDS = 3.0


def _workers() -> int:
    try:
        return int(os.environ.get("SANIC_WORKERS") or 1)
    except ValueError:
        return 1


def lock_store_from_url(url: Optional[str], workers: Optional[int] = None) -> LockStore:
    require_tested()  # the lock stores here build on Rasa's LockStore and TicketLock internals
    if not url:
        if (workers if workers is not None else _workers()) <= 1:
            return InMemoryLockStore()
        from bot.core.settings import ROOT

        return SQLiteLockStore(ROOT / "var" / "locks.db")
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url.split("sqlite:///", 1)[1] if url.startswith("sqlite:///") else ""
        if not path:
            raise SettingsError("LOCK_STORE_URL for a lock file must look like sqlite:////var/lib/bot/storage/lock_store.db")
        return SQLiteLockStore(Path(path))
    if parsed.scheme not in ("redis", "rediss"):
        raise SettingsError(
            f"LOCK_STORE_URL must start with redis://, rediss:// or sqlite:///, got scheme {parsed.scheme!r}"
        )
    try:
        db = int((parsed.path or "/1").lstrip("/") or 1)
        port = parsed.port or 6379
    except ValueError:
        raise SettingsError("LOCK_STORE_URL must look like redis://host:6379/1") from None
    return ResilientRedisLockStore(
        host=parsed.hostname or "localhost",
        port=port,
        db=db,
        username=unquote(parsed.username) if parsed.username else None,
        password=unquote(parsed.password) if parsed.password else None,
        use_ssl=parsed.scheme == "rediss",
        key_prefix=KEY_PREFIX,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
    )


def _redis_failure(exc: BaseException) -> bool:
    # Rasa wraps Redis errors in LockError; a LockError of its own means "busy".
    return isinstance(exc, RedisError) or isinstance(exc.__context__, RedisError) or isinstance(exc.__cause__, RedisError)


class SQLiteLockStore(LockStore):
    """Rasa's ticket locks in a SQLite file, for the worker processes of one machine.

    Rasa's base class reads a lock, changes it and writes it back in three
    steps; two processes doing that at once could both be given ticket 0 and
    run one conversation's turns together. Every read-modify-write here is one
    ``BEGIN IMMEDIATE`` transaction instead, which SQLite serialises across
    processes. Each call is a fraction of a millisecond (WAL, no fsync per
    commit: a lock file lost in a power cut loses nothing that matters, as
    every ticket expires after its lifetime anyway).
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # One connection per process, used from the event loop; the mutex only
        # guards against a call from another thread.
        self._conn = sqlite3.connect(str(path), timeout=10, isolation_level=None, check_same_thread=False)
        self._mutex = threading.Lock()
        with self._mutex:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=OFF")
            self._conn.execute("CREATE TABLE IF NOT EXISTS locks (conversation_id TEXT PRIMARY KEY, lock TEXT NOT NULL)")
        super().__init__()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._mutex:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _get(self, conn: sqlite3.Connection, conversation_id: str) -> Optional[TicketLock]:
        row = conn.execute("SELECT lock FROM locks WHERE conversation_id = ?", (conversation_id,)).fetchone()
        return TicketLock.from_dict(json.loads(row[0])) if row else None

    def _put(self, conn: sqlite3.Connection, lock: TicketLock) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO locks (conversation_id, lock) VALUES (?, ?)", (lock.conversation_id, lock.dumps())
        )

    def get_lock(self, conversation_id: str) -> Optional[TicketLock]:
        with self._mutex:
            return self._get(self._conn, conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        with self._mutex:
            self._conn.execute("DELETE FROM locks WHERE conversation_id = ?", (conversation_id,))

    def save_lock(self, lock: TicketLock) -> None:
        with self._mutex:
            self._put(self._conn, lock)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            with self._transaction() as conn:
                lock = self._get(conn, conversation_id) or self.create_lock(conversation_id)
                ticket = lock.issue_ticket(lock_lifetime)
                self._put(conn, lock)
                return ticket
        except sqlite3.Error as exc:
            raise LockError(f"Error while acquiring lock ({type(exc).__name__})") from exc

    def update_lock(self, conversation_id: str) -> None:
        with self._transaction() as conn:
            lock = self._get(conn, conversation_id)
            if lock:
                lock.remove_expired_tickets()
                self._put(conn, lock)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # finish_serving + "delete unless someone waits", as one step: between
        # the two another worker may have taken a ticket.
        with self._transaction() as conn:
            lock = self._get(conn, conversation_id)
            if lock is None:
                return
            lock.remove_ticket_for(ticket_number)
            if lock.is_someone_waiting():
                self._put(conn, lock)
            else:
                conn.execute("DELETE FROM locks WHERE conversation_id = ?", (conversation_id,))

    def close(self) -> None:
        with self._mutex:
            self._conn.close()


class ResilientRedisLockStore(RedisLockStore):
    """Redis locks that degrade to in-process locks while Redis is unreachable.

    Stock, a Redis outage fails every message with a server error, crisis
    messages included. Here the turn goes on under an in-process lock (still
    exact for a sender that the proxy keeps on this instance), the outage is
    logged once, and Redis is used again as soon as it answers.
    """

    # Rasa reads a lock, changes it and writes it back in three Redis calls: two
    # servers issuing tickets (or one expiring old tickets while another issues
    # one) could each write back their own copy and lose the other's ticket, and
    # that message then waited out the whole lock lifetime. A short Redis mutex
    # per conversation makes each read-change-write one step.
    MUTEX_SECONDS = 5.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fallback = InMemoryLockStore()
        self.healthy = True

    def _mutex(self, conversation_id: str) -> Any:
        return self.red.lock(f"{self.key_prefix}{conversation_id}:mutex", timeout=self.MUTEX_SECONDS,
                             blocking_timeout=self.MUTEX_SECONDS, sleep=0.005)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)

    def _down(self, exc: Exception) -> None:
        if self.healthy:
            logger.error("lock store (Redis) unavailable (%s): using in-process locks until it answers", type(exc).__name__)
        self.healthy = False

    def _up(self) -> None:
        if not self.healthy:
            logger.warning("lock store (Redis) available again")
        self.healthy = True

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncIterator[Any]:
        try:
            ticket = self.issue_ticket(conversation_id, lock_lifetime)
            acquired = await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        except (RedisError, LockError) as exc:
            if not _redis_failure(exc):
                raise  # a busy conversation, not an outage: Rasa's own handling applies
            self._down(exc)
            async with self._fallback.lock(conversation_id, lock_lifetime, wait_time_in_seconds) as fallback:
                yield fallback
            return
        self._up()
        try:
            yield acquired
        finally:
            try:
                self.cleanup(conversation_id, ticket)
            except (RedisError, LockError) as exc:  # the ticket expires by itself after its lifetime
                if not _redis_failure(exc):
                    raise
                self._down(exc)


class ConfiguredLockStore:
    """Rasa instantiates the class named in endpoints.yml; this one hands back the real store."""

    def __new__(cls, endpoint_config: Optional[EndpointConfig] = None) -> LockStore:  # type: ignore[misc]
        return lock_store_from_url(getattr(endpoint_config, "url", None))
