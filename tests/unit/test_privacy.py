"""What is stored: redaction before storage, and deletion after the retention period."""

import asyncio
import json
import time
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text

from bot.storage.privacy import purge, redact
from bot.storage.tracker_store import PrivateSQLTrackerStore


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("call me on 07700 900123 please", "call me on [number removed] please"),
        ("my email is jo.bloggs+x@example.co.uk ok", "my email is [email removed] ok"),
        ("+1 (555) 010-0199", "[number removed]"),
        ("is 988 free to call", "is 988 free to call"),
        ("samaritans 116 123", "samaritans 116 123"),
        ("i have had 12 sessions in 2024", "i have had 12 sessions in 2024"),
        ("", ""),
    ],
)
def test_redact(raw: str, expected: str) -> None:
    assert redact(raw) == expected


def make_store(tmp_path: Path, retention_job: bool = False) -> PrivateSQLTrackerStore:
    return PrivateSQLTrackerStore(
        domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"), retention_job=retention_job
    )


def test_stored_conversation_has_no_identifiers(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    message = "text me at 07700 900123 or mail jo@example.com"
    tracker = DialogueStateTracker.from_events(
        "visitor",
        [ActionExecuted("action_listen"), UserUttered(message, {"name": "greet", "confidence": 1.0}), BotUttered("hello")],
    )
    asyncio.run(store.save(tracker))
    # The -wal file too: in WAL mode a fresh turn is there until a checkpoint.
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("tracker.db*"))
    assert b"text me at" in raw  # the turn itself is on disk, so the check below can fail
    assert b"900123" not in raw and b"jo@example.com" not in raw
    restored = asyncio.run(store.retrieve("visitor"))
    assert restored.latest_message.text == "text me at [number removed] or mail [email removed]"


def test_purge_deletes_only_events_older_than_retention(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    now = time.time()
    old = UserUttered("old question", {"name": "greet", "confidence": 1.0}, timestamp=now - 40 * 86400)
    new = UserUttered("new question", {"name": "greet", "confidence": 1.0}, timestamp=now - 86400)
    asyncio.run(store.save(DialogueStateTracker.from_events("a", [old, new])))
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    assert purge(url, 30, now=now) == 1
    with create_engine(url, future=True).connect() as conn:
        rows = [json.loads(r[0])["text"] for r in conn.execute(text("SELECT data FROM events"))]
    assert rows == ["new question"]
    assert purge(url, 30, now=now) == 0


def test_purge_of_an_empty_database_is_a_no_op(tmp_path: Path) -> None:
    assert purge(f"sqlite:///{tmp_path / 'nothing.db'}", 30) == 0


def test_the_store_deletes_expired_conversations_by_itself(tmp_path: Path) -> None:
    now = time.time()
    old = UserUttered("old question", {"name": "greet", "confidence": 1.0}, timestamp=now - 40 * 86400)
    asyncio.run(make_store(tmp_path).save(DialogueStateTracker.from_events("a", [old])))
    make_store(tmp_path, retention_job=True)  # a restarted server purges at start, then hourly
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    for _ in range(100):
        with create_engine(url, future=True).connect() as conn:
            left = conn.execute(text("SELECT COUNT(*) FROM events")).scalar()
        if left == 0:
            break
        time.sleep(0.05)
    assert left == 0


def test_a_confirmed_erase_deletes_the_whole_conversation(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    events = [ActionExecuted("action_listen"), UserUttered("i feel low", {"name": "greet", "confidence": 1.0}), BotUttered("hello")]
    asyncio.run(store.save(DialogueStateTracker.from_events("visitor", events)))
    asyncio.run(store.save(DialogueStateTracker.from_events("other", events)))
    erase = [*events, UserUttered("yes", {"name": "affirm", "confidence": 1.0}),
             BotUttered("Done", metadata={"utter_action": "utter_data_deleted"}), ActionExecuted("action_restart")]
    asyncio.run(store.save(DialogueStateTracker.from_events("visitor", erase)))
    assert asyncio.run(store.retrieve("visitor")) is None
    assert asyncio.run(store.retrieve("other")).latest_message.text == "i feel low"
    assert store.erase("other") == 3 and asyncio.run(store.retrieve("other")) is None
    # overwritten on disk, not merely unlinked from the table
    assert b"i feel low" not in (tmp_path / "tracker.db").read_bytes()
