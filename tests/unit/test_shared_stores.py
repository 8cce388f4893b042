"""The stores several servers share: PostgreSQL for conversations, Redis for
locks, over real connections to the services on this machine (where one is
absent, the tests fail with the command that starts it)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.core.settings import SettingsError
from bot.storage.lock_store import ConfiguredLockStore, lock_store_from_url
from bot.storage.tracker_store import PrivateSQLTrackerStore

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/3"


needs_postgres = pytest.mark.usefixtures("postgres_running")
needs_redis = pytest.mark.usefixtures("redis_running")


def test_no_url_means_in_process_locks() -> None:
    assert isinstance(lock_store_from_url(""), InMemoryLockStore)
    assert isinstance(ConfiguredLockStore(endpoint_config=None), InMemoryLockStore)


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379", "redis://127.0.0.1:6379/notanumber"])
def test_a_malformed_lock_store_url_is_a_settings_error(url: str) -> None:
    with pytest.raises(SettingsError, match="LOCK_STORE_URL"):
        lock_store_from_url(url)


@needs_redis
async def test_redis_locks_serialise_one_conversation() -> None:
    store = lock_store_from_url(REDIS_URL)
    assert isinstance(store, RedisLockStore)
    sender = f"lock-{uuid.uuid4().hex}"
    order: list[str] = []

    async def turn(name: str) -> None:
        async with store.lock(sender, wait_time_in_seconds=0.01):
            order.append(f"{name}-start")
            await asyncio.sleep(0.05)
            order.append(f"{name}-end")

    await asyncio.gather(*(turn(str(i)) for i in range(4)))
    # never two turns inside the lock at once
    assert all(order[i].endswith("start") and order[i + 1].endswith("end") for i in range(0, len(order), 2))
    assert store.get_lock(sender) is None or not store.get_lock(sender).tickets


@needs_redis
def test_two_servers_issuing_tickets_at_once_lose_none() -> None:
    from concurrent.futures import ThreadPoolExecutor

    servers = [lock_store_from_url(REDIS_URL), lock_store_from_url(REDIS_URL)]
    sender = f"race-{uuid.uuid4().hex}"

    def issue(i: int) -> int:
        store = servers[i % 2]
        if i % 3 == 0:
            store.update_lock(sender)  # what a waiting turn does between polls: read, expire, write back
        return store.issue_ticket(sender, 60)

    with ThreadPoolExecutor(max_workers=8) as pool:
        tickets = list(pool.map(issue, range(60)))
    kept = servers[0].get_lock(sender)
    assert kept is not None
    assert len(set(tickets)) == 60 and sorted(t.number for t in kept.tickets) == sorted(tickets)
    for ticket in tickets:
        servers[ticket % 2].cleanup(sender, ticket)
    assert servers[0].get_lock(sender) is None


@needs_postgres
async def test_postgres_tracker_store_keeps_a_conversation_between_store_instances() -> None:
    sender = f"pg-{uuid.uuid4().hex}"
    first = PrivateSQLTrackerStore(domain=Domain.empty(), database_url=POSTGRES_URL, retention_job=False)
    second = PrivateSQLTrackerStore(domain=Domain.empty(), database_url=POSTGRES_URL, retention_job=False)
    try:
        assert first.engine.dialect.name == "postgresql" and first.engine.pool.size() == 5
        events = [ActionExecuted("action_listen"), UserUttered("mail me at jo@example.com", {"name": "greet", "confidence": 1.0}),
                  BotUttered("hello")]
        await first.save(DialogueStateTracker.from_events(sender, events))
        restored = await second.retrieve(sender)  # another server's store sees the turn
        assert restored is not None and restored.latest_message.text == "mail me at [email removed]"
        assert second.erase(sender) == 3 and await first.retrieve(sender) is None
    finally:
        first.engine.dispose()
        second.engine.dispose()


@needs_redis
async def test_a_redis_outage_degrades_to_in_process_locks(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from tests.support.proxy import CuttableProxy

    proxy = CuttableProxy(6379).start()
    store = lock_store_from_url(f"redis://127.0.0.1:{proxy.port}/3")
    sender = f"outage-{uuid.uuid4().hex}"
    try:
        async with store.lock(sender):
            pass
        assert store.healthy
        proxy.cut()
        for _ in range(3):
            async with store.lock(sender, wait_time_in_seconds=0.01):
                pass  # the turn goes on instead of failing
        assert not store.healthy
        assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1
        proxy.restore()
        async with store.lock(sender):
            pass
        assert store.healthy
    finally:
        proxy.cut()
