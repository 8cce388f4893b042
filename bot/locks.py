"""The lock store from one setting: in-process locks, or Redis when several servers share conversations.

endpoints.yml names this class with ``url: ${LOCK_STORE_URL}``. Empty (the
single-machine default) gives Rasa's in-memory lock store; ``redis://[:password@]host:port/db``
(or ``rediss://`` for TLS) gives Rasa's Redis lock store, which serialises
the turns of one conversation across every server that shares it.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Optional
from urllib.parse import unquote, urlparse

from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import RedisError

from bot.settings import SettingsError

logger = logging.getLogger(__name__)
KEY_PREFIX = "therapyfaq"  # Rasa accepts letters and digits only
# A Redis that stops answering must fail a turn within seconds, not hang it.
SOCKET_TIMEOUT_SECONDS = 3.0


def lock_store_from_url(url: Optional[str]) -> LockStore:
    if not url:
        return InMemoryLockStore()
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss"):
        raise SettingsError(f"LOCK_STORE_URL must start with redis:// or rediss://, got scheme {parsed.scheme!r}")
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


class ResilientRedisLockStore(RedisLockStore):
    """Redis locks that degrade to in-process locks while Redis is unreachable.

    Stock, a Redis outage fails every message with a server error, crisis
    messages included. Here the turn goes on under an in-process lock (still
    exact for a sender that the proxy keeps on this instance), the outage is
    logged once, and Redis is used again as soon as it answers.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fallback = InMemoryLockStore()
        self.healthy = True

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
