"""The SQLite tracker store's cheap turn (kept connections, WAL, one executemany,
a precompiled read): WAL really on, the trackers Rasa's own retrieve builds,
several processes on one file writing each event exactly once, erased text
gone from the database file and the -wal file, PostgreSQL as before."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import sqlite3
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    FollowupAction,
    LoopInterrupted,
    ReminderScheduled,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
    deserialise_events,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.pool import QueuePool

from bot.storage import tracker_store as stores
from bot.storage.tracker_sql import SQLITE_BUSY_SECONDS
from bot.storage.tracker_sql import deserialise_events as _deserialise_events
from bot.storage.tracker_store import PrivateSQLTrackerStore
from tests.support.tracker_turns import make, on_disk, rasa_turn, session_start, stored_rows, turn, user_texts
from tests.unit.test_shared_stores import POSTGRES_URL, needs_postgres

ROOT = Path(__file__).resolve().parents[2]
ERASE = BotUttered("Done", metadata={"utter_action": "utter_data_deleted"})


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))



# --- engine --------------------------------------------------------------------------------------


def test_sqlite_file_is_in_wal_mode_with_kept_connections(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    store = make(path)
    try:
        assert isinstance(store.engine.pool, QueuePool)
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == int(SQLITE_BUSY_SECONDS * 1000)
        asyncio.run(store.save(DialogueStateTracker.from_events("v", [*session_start(), *turn("hello")])))
        # WAL is a property of the file: every other process opening it uses it too
        with contextlib.closing(sqlite3.connect(path)) as other:
            assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert path.with_name("tracker.db-wal").exists()
        # a kept connection, not one opened and closed per session
        checked_in = store.engine.pool.checkedin()
        asyncio.run(store.retrieve("v"))
        assert store.engine.pool.checkedin() == checked_in >= 1
    finally:
        store.close()


def test_an_in_memory_sqlite_store_still_works() -> None:
    store = PrivateSQLTrackerStore(domain=Domain.empty(), database_url="sqlite://", retention_job=False)
    try:
        asyncio.run(store.save(DialogueStateTracker.from_events("m", [*session_start(), *turn("hi")])))
        assert asyncio.run(store.retrieve("m")).latest_message.text == "hi"
    finally:
        store.close()


# --- the same trackers as Rasa's retrieve ----------------------------------------------------------


def test_deserialisation_matches_rasa() -> None:
    events = [
        *session_start(), *turn("hello"), ActiveLoop("some_form"), LoopInterrupted(True), FollowupAction("utter_x"),
        ReminderScheduled("remind", trigger_date_time=datetime.datetime(2030, 1, 1), name="r"),
        Restarted(), SlotSet("region", "uk"),
    ]
    dicts = [e.as_dict() for e in events] + [{"event": "topic", "topic": "old"}, {"no": "event"}]
    assert _deserialise_events(dicts) == deserialise_events(dicts)
    with pytest.raises(ValueError):
        _deserialise_events([{"event": "no_such_event"}])


async def test_retrieve_returns_the_tracker_rasa_builds(tmp_path: Path, domain: Domain) -> None:
    store = make(tmp_path / "tracker.db", domain)
    try:
        sender = "same"
        tracker = await rasa_turn(store, sender, turn("what is cbt", "cbt"), domain)
        tracker.update_with_events([*turn("and dbt", "dbt"), ActiveLoop("f"), ActiveLoop(None), SlotSet("region", "uk")], domain)
        await store.save(tracker)
        tracker = await store.retrieve(sender)
        tracker.update_with_events([ActionExecuted("action_session_start"), SessionStarted(),
                                    SlotSet("region", "uk"), ActionExecuted("action_listen"), *turn("emdr?", "emdr")], domain)
        await store.save(tracker)
        for all_sessions in (False, True):
            ours = await store._retrieve(sender, all_sessions)
            rasas = await SQLTrackerStore._retrieve(store, sender, fetch_events_from_all_sessions=all_sessions)
            assert list(ours.events) == list(rasas.events)
            assert ours.current_state() == rasas.current_state()
            assert ours.current_slot_values() == rasas.current_slot_values()
        current = await store.retrieve(sender)  # the second session only
        assert [e.text for e in current.events if isinstance(e, UserUttered)] == ["emdr?"]
        assert len((await store.retrieve_full_tracker(sender)).events) == 3 + 6 + 6 + 3 + 4 + 6
        assert await store.retrieve("nobody") is None
    finally:
        store.close()


# --- several processes on one file -------------------------------------------------------------------


async def test_two_stores_alternating_turns_store_each_event_once(tmp_path: Path, domain: Domain) -> None:
    """Two store instances on one file, as two Sanic workers would be, taking turns of one conversation.

    Each keeps its trackers alive (so a count it remembers for an old tracker
    object could be wrongly reused); each turn starts with a retrieve, as
    Rasa's do, inside the (shared) lock.
    """
    path = tmp_path / "tracker.db"
    first, second = make(path, domain), make(path, domain)
    kept: list[DialogueStateTracker] = []
    expected: list[str] = []
    sender = "shared"
    try:
        for i in range(10):
            store = (first, second)[i % 3 % 2]  # A B A A B A A B ...: both in a row and alternating
            text = f"turn {i}"
            if i == 6:  # a new session, started by one worker, continued by the other
                tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
                tracker.update_with_events([ActionExecuted("action_session_start"), SessionStarted(),
                                            ActionExecuted("action_listen")], domain)
                await store.save(tracker)
                kept.append(tracker)
            kept.append(await rasa_turn(store, sender, turn(text), domain))
            expected.append(text)
            rows = stored_rows(path, sender)
            assert user_texts(rows) == expected
        # every event once, in order: what the two trackers saw, together
        assert len(stored_rows(path, sender)) == 3 + 10 * 6 + 3
        for store in (first, second):
            assert user_texts([e.as_dict() for e in (await store.retrieve_full_tracker(sender)).events]) == expected
            assert user_texts([e.as_dict() for e in (await store.retrieve(sender)).events]) == expected[6:]
    finally:
        first.close()
        second.close()


async def test_a_tracker_this_process_did_not_just_retrieve_is_counted_in_the_database(
    tmp_path: Path, domain: Domain, use_db: str
) -> None:
    path = tmp_path / "tracker.db"
    first, second = make(path, domain), make(path, domain)
    sender = "stale"
    try:
        kept = await rasa_turn(first, sender, turn("one"), domain)  # first remembers 9 events for `kept`
        await rasa_turn(second, sender, turn("two"), domain)
        await rasa_turn(second, sender, turn("three"), domain)
        # first saves a tracker it read without `retrieve` (the REST tracker endpoints read the full one)
        full = await first.retrieve_full_tracker(sender)
        full.update_with_events(turn("four"), domain)
        await first.save(full)
        assert user_texts(stored_rows(path, sender)) == ["one", "two", "three", "four"]
        # the other worker erased the conversation; first creates a new one without a retrieve
        await rasa_turn(second, sender, [*turn("bye"), ERASE], domain)
        assert stored_rows(path, sender) == []
        created = await first.get_or_create_full_tracker(sender)
        assert [r["event"] for r in stored_rows(path, sender)] == ["action"] and len(created.events) == 1
        assert kept.sender_id == sender
    finally:
        first.close()
        second.close()


WORKER = textwrap.dedent(
    """
    import asyncio, fcntl, os, sys, time
    from pathlib import Path
    from rasa.shared.core.domain import Domain
    from tests.unit.test_store_sqlite_fast import make, session_start, turn

    db, tag, parity, turns = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    domain = Domain.load("domain.yml")
    (db.parent / f"ready-{tag}").touch()
    started = time.monotonic()
    while len(list(db.parent.glob("ready-*"))) < 2 and time.monotonic() - started < 60:  # start together
        time.sleep(0.01)

    async def main() -> None:
        store = make(db, domain)
        kept, done, alone, deadline = [], 0, 0, time.monotonic() + 60
        with open(db.parent / "turn.lock", "w") as lock:
            while done < turns and time.monotonic() < deadline:
                # a turn of this process's own conversation, not under the lock: concurrent writers
                own = await store.get_or_create_tracker(f"own-{tag}", append_action_listen=False)
                own.update_with_events((session_start() if not own.events else []) + turn(f"{tag} alone {alone}"), domain)
                await store.save(own)
                alone += 1
                fcntl.flock(lock, fcntl.LOCK_EX)  # the shared lock store
                try:
                    tracker = await store.get_or_create_tracker("shared", append_action_listen=False)
                    users = sum(1 for e in tracker.events if e.type_name == "user")
                    if users % 2 == parity:  # strict alternation between the two processes
                        if not tracker.events:
                            tracker.update_with_events(session_start(), domain)
                        tracker.update_with_events(turn(f"{tag} {done}"), domain)
                        await store.save(tracker)
                        kept.append(tracker)
                        done += 1
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)
                await asyncio.sleep(0.001)
        store.close()
        print(done, store.healthy)

    asyncio.run(main())
    """
)


def test_two_processes_on_one_sqlite_file_store_each_event_once(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    make(db).close()  # tables and WAL mode, as the first server start would
    turns = 12
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(db), tag, str(parity), str(turns)], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for tag, parity in (("a", 0), ("b", 1))
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err[-2000:]
        assert out.split() == [str(turns), "True"], err[-2000:]  # no turn failed over to memory
    shared = stored_rows(db, "shared")
    assert user_texts(shared) == [f"{'ab'[i % 2]} {i // 2}" for i in range(2 * turns)]
    assert len(shared) == 3 + 2 * turns * 6
    for tag in "ab":
        own = stored_rows(db, f"own-{tag}")
        assert user_texts(own) == [f"{tag} alone {i}" for i in range(len(user_texts(own)))] and len(own) == 3 + 6 * len(user_texts(own))


# --- erasing with WAL ----------------------------------------------------------------------------------


async def test_identifiers_are_redacted_in_the_wal_file_too(tmp_path: Path, domain: Domain) -> None:
    path = tmp_path / "tracker.db"
    store = make(path, domain)
    try:
        await rasa_turn(store, "v", turn("text me at 07700 900123 or mail jo@example.com"), domain)
        assert b"[number removed]" in on_disk(path)  # the turn is on disk (in the -wal file until a checkpoint)
        assert b"900123" not in on_disk(path) and b"jo@example.com" not in on_disk(path)
    finally:
        store.close()


async def test_erased_text_is_in_neither_the_database_nor_the_wal_file(tmp_path: Path, domain: Domain, use_db: str) -> None:
    path = tmp_path / "tracker.db"
    store, other = make(path, domain), make(path, domain)  # `other`: another worker's open connections
    try:
        secret, kept_text = "my husband hits me on tuesdays", "keep this conversation"
        await rasa_turn(other, "keep", turn(kept_text), domain)
        await rasa_turn(store, "visitor", turn(secret), domain)
        await rasa_turn(other, "visitor", turn(secret + " again"), domain)
        assert secret.encode() in on_disk(path)  # the check below can see it
        await rasa_turn(store, "visitor", [*turn("delete my data"), ERASE], domain)
        assert await store.retrieve("visitor") is None and await other.retrieve("visitor") is None
        assert secret.encode() not in on_disk(path)
        assert kept_text.encode() in on_disk(path)  # the other conversation is intact
        # the REST erase endpoint's path
        assert other.erase("keep") == 9
        assert kept_text.encode() not in on_disk(path)
        assert not stores_checkpoint_due(store, other)
    finally:
        store.close()
        other.close()
    assert secret.encode() not in on_disk(path) and kept_text.encode() not in on_disk(path)


def stores_checkpoint_due(*stores_: PrivateSQLTrackerStore) -> bool:
    return any(s._checkpoint_due for s in stores_)


async def test_a_checkpoint_blocked_by_a_reader_is_retried(
    tmp_path: Path, domain: Domain, monkeypatch: pytest.MonkeyPatch, use_db: str
) -> None:
    monkeypatch.setattr(stores, "CHECKPOINT_BUSY_SECONDS", 0.1)
    monkeypatch.setattr(stores, "RETRY_SECONDS", 0.1)
    path = tmp_path / "tracker.db"
    store = make(path, domain)
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        secret = "a secret that must go"
        await rasa_turn(store, "visitor", turn(secret), domain)
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM events").fetchone()  # another process, mid-read, on the old snapshot
        started = time.monotonic()
        store.erase("visitor")
        assert store._checkpoint_due  # could not truncate the WAL under the reader
        assert time.monotonic() - started < 1  # waited the checkpoint's short busy timeout, not the writers' 5 s
        pooled = [store.engine.connect() for _ in range(store.engine.pool.checkedin())]
        try:  # and every kept connection has the writers' timeout back
            assert {c.exec_driver_sql("PRAGMA busy_timeout").scalar() for c in pooled} == {int(SQLITE_BUSY_SECONDS * 1000)}
        finally:
            for c in pooled:
                c.close()
        await rasa_turn(store, "another", turn("hello"), domain)  # turns go on meanwhile
        reader.execute("COMMIT")
        for _ in range(100):
            if not store._checkpoint_due:
                break
            time.sleep(0.05)
        assert not store._checkpoint_due and secret.encode() not in on_disk(path)
        assert path.with_name("tracker.db-wal").stat().st_size == 0
    finally:
        reader.close()
        store.close()


# --- PostgreSQL: as before -------------------------------------------------------------------------------


@needs_postgres
async def test_postgres_engine_is_unchanged_and_turns_alternate_exactly(domain: Domain, use_db: str) -> None:
    first = PrivateSQLTrackerStore(domain=domain, database_url=POSTGRES_URL, retention_job=False)
    second = PrivateSQLTrackerStore(domain=domain, database_url=POSTGRES_URL, retention_job=False)
    sender = f"pg-fast-{uuid.uuid4().hex}"
    try:
        assert first.engine.dialect.name == "postgresql" and not first._wal
        assert isinstance(first.engine.pool, QueuePool) and first.engine.pool.size() == 5 and first.engine.pool._pre_ping
        expected = []
        for i in range(6):
            await rasa_turn((first, second)[i % 2], sender, turn(f"pg {i} mail jo@example.com"), domain)
            expected.append(f"pg {i} mail [email removed]")
        full = await first.retrieve_full_tracker(sender)
        assert [e.text for e in full.events if isinstance(e, UserUttered)] == expected
        assert len(full.events) == 3 + 6 * 6
        rasas = await SQLTrackerStore._retrieve(second, sender, fetch_events_from_all_sessions=False)
        assert list((await second.retrieve(sender)).events) == list(rasas.events)
        first._checkpoint()  # nothing to do on PostgreSQL
        assert second.erase(sender) == len(full.events) and await first.retrieve(sender) is None
    finally:
        first.close()
        second.close()
