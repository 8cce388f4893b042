"""Turns and stored rows for the tracker store's tests: events as Rasa's processor writes them, rows as SQLite holds them."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import uuid
from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.storage.tracker_store import PrivateSQLTrackerStore


def make(path: Path, domain: Domain | None = None) -> PrivateSQLTrackerStore:
    return PrivateSQLTrackerStore(domain=domain or Domain.empty(), dialect="sqlite", db=str(path), retention_job=False)


def session_start() -> list[Event]:
    return [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]


def turn(text: str, topic: str = "cbt") -> list[Event]:
    parse = {"text": text, "intent": {"name": "faq", "confidence": 0.97},
             "entities": [{"entity": "faq_topic", "value": topic, "extractor": "ContextExtractor"}],
             "intent_ranking": [{"name": "faq", "confidence": 0.97}, {"name": "greet", "confidence": 0.01}]}
    return [
        UserUttered(text, parse["intent"], parse["entities"], parse, input_channel="rest", message_id=uuid.uuid4().hex),
        SlotSet("last_topic", topic),
        DefinePrevUserUtteredFeaturization(False),
        ActionExecuted("utter_faq", policy="RulePolicy", confidence=1.0),
        BotUttered(f"about {topic}", {"buttons": [{"title": "More", "payload": "/tell_me_more"}]}, {"utter_action": f"utter_faq/{topic}"}),
        ActionExecuted("action_listen", policy="RulePolicy", confidence=1.0),
    ]


async def rasa_turn(store: PrivateSQLTrackerStore, sender: str, events: list[Event], domain: Domain) -> DialogueStateTracker:
    """What Rasa's processor does with the tracker store for one message."""
    tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
    if not tracker.events:
        tracker.update_with_events(session_start(), domain)
    tracker.update_with_events(events, domain)
    await store.save(tracker)
    return tracker


def stored_rows(path: Path, sender: str) -> list[dict]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return [json.loads(d) for (d,) in conn.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,))]


def user_texts(rows: list[dict]) -> list[str]:
    return [r["text"] for r in rows if r["event"] == "user"]


def on_disk(path: Path) -> bytes:
    """The database file and, if there is one, its -wal file."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
