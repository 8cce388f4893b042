"""The tracker store through a database outage, over a real PostgreSQL
behind a forwarder the test cuts and restores."""

from __future__ import annotations

import logging
import time
import uuid

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.storage import tracker_store as stores
from bot.storage.tracker_store import PrivateSQLTrackerStore
from tests.support.proxy import CuttableProxy
from tests.unit.test_shared_stores import needs_postgres

pytestmark = needs_postgres


def turn(text: str) -> list:
    return [UserUttered(text, {"name": "greet", "confidence": 1.0}), BotUttered(f"reply to {text}"), ActionExecuted("action_listen")]


@pytest.fixture()
def proxy() -> CuttableProxy:
    p = CuttableProxy(5432).start()
    yield p
    p.cut()


@pytest.fixture(autouse=True)
def fast_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stores, "RETRY_SECONDS", 0.2)


def make(proxy: CuttableProxy) -> PrivateSQLTrackerStore:
    return PrivateSQLTrackerStore(
        domain=Domain.empty(), database_url=f"postgresql://postgres@127.0.0.1:{proxy.port}/test", retention_job=False
    )


def user_texts(tracker: DialogueStateTracker) -> list[str]:
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


async def test_turns_during_an_outage_are_held_and_written_afterwards(
    proxy: CuttableProxy, caplog: pytest.LogCaptureFixture
) -> None:
    store = make(proxy)
    sender = f"outage-{uuid.uuid4().hex}"
    try:
        await store.save(DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen"), *turn("secret one")]))
        proxy.cut()
        tracker = await store.retrieve(sender)  # fails over: the database is gone
        assert tracker is None and not store.healthy
        # what Rasa does next: a fresh tracker for this turn, then save
        fresh = DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen"), *turn("secret two")])
        await store.save(fresh)  # held, no exception for Rasa's fail-safe to log with the text
        held = await store.retrieve(sender)
        assert held is fresh and store.held == 1
        held.update_with_events(turn("secret three"), None)
        await store.save(held)
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name == "bot.storage.tracker_store"]
        assert len(errors) == 1 and "unavailable" in errors[0].getMessage()
        assert not any("secret" in r.getMessage() for r in caplog.records)
        proxy.restore()
        for _ in range(100):
            if store.healthy and store.held == 0:
                break
            time.sleep(0.1)
        assert store.healthy and store.held == 0
        reader = make(proxy)
        try:
            full = await reader.retrieve_full_tracker(sender)
            assert user_texts(full) == ["secret one", "secret two", "secret three"]  # nothing lost
        finally:
            reader.close()
    finally:
        store.close()


async def test_a_database_down_at_start_does_not_stop_the_store(proxy: CuttableProxy) -> None:
    proxy.cut()
    started = time.monotonic()
    store = make(proxy)
    try:
        assert time.monotonic() - started < 10 and not store.healthy and not store.ping()
        sender = f"cold-{uuid.uuid4().hex}"
        await store.save(DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen"), *turn("hello")]))
        proxy.restore()
        for _ in range(100):
            if store.healthy and store.held == 0:
                break
            time.sleep(0.1)
        assert store.healthy and store.ping()
        assert user_texts(await store.retrieve(sender)) == ["hello"]
    finally:
        store.close()
