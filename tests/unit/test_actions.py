"""Actions run with real rasa-sdk objects: trackers from JSON fixtures, a CollectingDispatcher."""

import json
import re
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.crisis import ActionCrisisResources
from actions.faq import ActionTellMeMore
from bot.conversation.topics import topic_subjects
from bot.core import wiring
from bot.core.settings import ROOT

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "trackers"
DOMAIN = {
    "responses": {
        "utter_faq/cbt": [
            {"text": "CBT ...", "buttons": [{"title": "DBT", "payload": "/faq/dbt"}, {"title": "ACT", "payload": "/faq/act"}]}
        ]
    }
}


def tracker(name: str) -> Tracker:
    return Tracker.from_dict(json.loads((FIXTURES / f"{name}.json").read_text()))


async def run(action, name: str) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker(name), DOMAIN)
    assert events == []
    return dispatcher


async def test_more_helplines_for_the_channel_region_from_the_catalogue() -> None:
    d = await run(ActionCrisisResources(), "crisis_more_gb_web")
    text = d.messages[0]["text"]
    assert "United Kingdom" in text
    assert "116 123" in text and "(tel:116123)" in text  # Samaritans, as a web link
    assert "999" in text


async def test_more_helplines_default_region_on_sms_is_plain_text() -> None:
    d = await run(ActionCrisisResources(), "crisis_more_default_sms")
    text = d.messages[0]["text"]
    assert "988" in text and "911" in text
    assert "](" not in text  # no markdown links on SMS


async def test_more_helplines_still_arrive_when_the_database_is_down(monkeypatch: pytest.MonkeyPatch) -> None:

    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nothing")
    wiring.reload_settings()
    try:
        d = await run(ActionCrisisResources(), "crisis_more_gb_web")
    finally:
        wiring.reload_settings()
    assert "116 123" in d.messages[0]["text"]


async def test_tell_me_more_offers_the_related_questions_of_the_last_topic() -> None:
    d = await run(ActionTellMeMore(), "tell_me_more_after_cbt")
    payloads = [b["payload"] for b in d.messages[0]["buttons"]]
    assert payloads == ["/faq/dbt", "/faq/act", "/faq/cbt"]
    assert "cbt" in d.messages[0]["text"].lower()


async def test_tell_me_more_without_a_topic_asks_which_one() -> None:
    d = await run(ActionTellMeMore(), "tell_me_more_no_topic")
    assert d.messages[0]["response"] == "utter_ask_topic"


TOPICS = yaml.safe_load((ROOT / "data/knowledge/topics.yml").read_text())["topics"]
QUESTION_WORDS = re.compile(r"^(what|who|why|when|where|which|how|does|do|is|are|can|should|will)\b", re.I)


def tell_me_more_tracker(topic: str) -> Tracker:
    data = json.loads((FIXTURES / "tell_me_more_after_cbt.json").read_text())
    data["slots"]["last_topic"] = topic
    return Tracker.from_dict(data)


def test_every_topic_has_a_subject_for_the_tell_me_more_sentence() -> None:
    assert {t["id"] for t in TOPICS} <= set(topic_subjects())


@pytest.mark.parametrize("topic", [t["id"] for t in TOPICS])
async def test_tell_me_more_sentence_reads_naturally_for_every_topic(topic: str) -> None:
    label = next(t["label"] for t in TOPICS if t["id"] == topic)
    dispatcher = CollectingDispatcher()
    await ActionTellMeMore().run(dispatcher, tell_me_more_tracker(topic), DOMAIN)
    text = dispatcher.messages[0]["text"]
    first = text.split(" than fits in one answer.")[0]
    assert first.startswith("There's more to ") and first != text, text
    assert first.removeprefix("There's more to ") == topic_subjects()[topic]
    assert "?" not in text, text  # no question-form label inside the sentence
    if label.endswith("?") or QUESTION_WORDS.match(label):
        assert label.rstrip("?").lower() not in text.lower(), text
