"""Several Rasa workers on one machine: the worker count setting and the SQLite lock file they share.

The workers are separate processes, so these tests use separate processes
too: a lock that only works inside one process would pass a threaded test.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from pathlib import Path

import pytest
from rasa.core.lock_store import InMemoryLockStore

from bot.core.settings import Settings, SettingsError
from bot.storage.lock_store import SQLiteLockStore, lock_store_from_url


def test_one_worker_keeps_in_process_locks_and_several_share_a_lock_file(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(lock_store_from_url("", workers=1), InMemoryLockStore)
    store = lock_store_from_url("", workers=2)
    assert isinstance(store, SQLiteLockStore)
    assert store.path.name == "locks.db"
    monkeypatch.setenv("SANIC_WORKERS", "2")  # what bot.runtime.rasa_cli sets for `rasa run`
    assert isinstance(lock_store_from_url(""), SQLiteLockStore)


def test_an_explicit_lock_file(tmp_path: Path) -> None:
    store = lock_store_from_url(f"sqlite:///{tmp_path / 'x' / 'l.db'}")
    assert isinstance(store, SQLiteLockStore)
    assert store.path == tmp_path / "x" / "l.db"
    with pytest.raises(SettingsError, match="LOCK_STORE_URL"):
        lock_store_from_url("sqlite://")


@pytest.mark.parametrize(("raw", "expected"), [("1", 1), ("3", 3), (" 2 ", 2)])
def test_rasa_workers_setting(raw: str, expected: int) -> None:
    assert Settings.from_env({"RASA_WORKERS": raw}).rasa_workers == expected


def test_rasa_workers_default_is_one_per_core_at_most_four() -> None:
    import os

    assert Settings.from_env({}).rasa_workers == max(1, min(os.cpu_count() or 1, 4))
    assert Settings.from_env({"RASA_WORKERS": "auto"}).rasa_workers == Settings.from_env({}).rasa_workers


@pytest.mark.parametrize("raw", ["0", "17", "two", "-1"])
def test_a_bad_worker_count_is_refused_with_its_name(raw: str) -> None:
    with pytest.raises(SettingsError, match="RASA_WORKERS"):
        Settings.from_env({"RASA_WORKERS": raw})


def _take_tickets(path: str, conversation: str, count: int, start: float, out: multiprocessing.Queue[list[int]]) -> None:
    store = SQLiteLockStore(Path(path))
    while time.time() < start:  # both processes begin together
        time.sleep(0.001)
    out.put([store.issue_ticket(conversation) for _ in range(count)])


def test_two_processes_never_get_the_same_ticket(tmp_path: Path) -> None:
    # Rasa's base class reads, changes and writes a lock in three steps; two
    # workers racing there would both be served first.
    ctx = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue[list[int]] = ctx.Queue()
    path = str(tmp_path / "locks.db")
    SQLiteLockStore(Path(path))  # the table exists before the race starts
    start = time.time() + 2.0
    workers = [ctx.Process(target=_take_tickets, args=(path, "c1", 150, start, out)) for _ in range(2)]
    for w in workers:
        w.start()
    tickets = out.get(timeout=60) + out.get(timeout=60)
    for w in workers:
        w.join(timeout=10)
    assert sorted(tickets) == list(range(300))


async def test_a_second_store_waits_for_the_first_to_finish_the_turn(tmp_path: Path) -> None:
    first, second = SQLiteLockStore(tmp_path / "locks.db"), SQLiteLockStore(tmp_path / "locks.db")
    order: list[str] = []

    async def turn(store: SQLiteLockStore, name: str, delay: float) -> None:
        await asyncio.sleep(delay)
        async with store.lock("c2", wait_time_in_seconds=0.01):
            order.append(f"{name}-start")
            await asyncio.sleep(0.1)
            order.append(f"{name}-end")

    await asyncio.gather(turn(first, "a", 0), turn(second, "b", 0.02), turn(first, "c", 0.04))
    assert order == ["a-start", "a-end", "b-start", "b-end", "c-start", "c-end"]
    # the last turn removes the lock: nothing is left behind per conversation
    assert first.get_lock("c2") is None


async def test_an_expired_ticket_of_a_killed_worker_does_not_block_the_conversation(tmp_path: Path) -> None:
    dead = SQLiteLockStore(tmp_path / "locks.db")
    dead.issue_ticket("c3", lock_lifetime=0.2)  # taken, never released
    alive = SQLiteLockStore(tmp_path / "locks.db")
    started = time.monotonic()
    async with alive.lock("c3", wait_time_in_seconds=0.05):
        waited = time.monotonic() - started
    assert waited < 5
    assert alive.get_lock("c3") is None
