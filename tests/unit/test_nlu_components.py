"""The project's NLU components on real rasa Message objects."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.context import ContextExtractor, region_from_metadata, region_from_text
from bot.nlu.faq_guard import FaqGuard


def entity(message: Message, name: str):
    return next((e["value"] for e in message.get("entities") or [] if e["entity"] == name), None)


@pytest.mark.parametrize(
    "metadata, expected",
    [
        ({"region": "gb"}, "GB"),
        ({"locale": "en-AU"}, "AU"),
        ({"locale": "en_NZ"}, "NZ"),
        ({"locale": "en"}, None),
        ({"region": "United Kingdom"}, None),
        ({"region": 42}, None),
        (None, None),
        ("not a dict", None),
    ],
)
def test_region_from_metadata(metadata, expected) -> None:
    assert region_from_metadata(metadata) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("i'm in the uk", "GB"),
        ("I live in Northern Ireland", "GB"),
        ("im in ireland", "IE"),
        ("located in the US", "US"),
        ("can you help us", None),
        ("not the us, i'm in canada", "CA"),
        ("i'm in germany", "DE"),
        ("what is cbt", None),
    ],
)
def test_region_from_text(text: str, expected) -> None:
    assert region_from_text(text) == expected


def test_context_extractor_emits_channel_and_said_regions() -> None:
    m = Message(data={"text": "i'm in canada", "metadata": {"locale": "en-GB"}})
    ContextExtractor({}).process([m])
    assert entity(m, "channel_region") == "GB" and entity(m, "region") == "CA"


def faq_message(topic: str, topic_confidence: float) -> Message:
    return Message(
        data={
            "text": "q",
            "intent": {"name": "faq", "confidence": 0.97},
            "intent_ranking": [{"name": "faq", "confidence": 0.97}],
            "response_selector": {
                "faq": {"response": {"intent_response_key": f"faq/{topic}", "confidence": topic_confidence}, "ranking": []}
            },
        }
    )


def test_faq_guard_keeps_a_confident_topic_and_names_it() -> None:
    m = faq_message("cbt", 0.8)
    FaqGuard({"threshold": 0.1}).process([m])
    assert m.get("intent")["name"] == "faq"
    assert entity(m, "faq_topic") == "cbt"


def test_faq_guard_falls_back_when_the_topic_is_unsure_though_faq_is_sure() -> None:
    m = faq_message("cbt", 0.05)
    FaqGuard({"threshold": 0.1}).process([m])
    assert m.get("intent")["name"] == "nlu_fallback"
    assert m.get("intent_ranking")[0]["name"] == "nlu_fallback"
    assert entity(m, "faq_topic") is None


def test_faq_guard_leaves_other_intents_alone() -> None:
    m = Message(data={"text": "hi", "intent": {"name": "greet", "confidence": 0.99}})
    FaqGuard({"threshold": 0.1}).process([m])
    assert m.get("intent")["name"] == "greet"


@pytest.mark.parametrize(
    "metadata, expected",
    [({"tenant": "acme"}, "acme"), ({"tenant": "Acme Corp!"}, None), ({"tenant": 5}, None), ({}, None), (None, None)],
)
def test_context_extractor_passes_on_a_well_formed_tenant(metadata, expected) -> None:
    m = Message(data={"text": "how much does therapy cost", "metadata": metadata})
    ContextExtractor({}).process([m])
    assert entity(m, "tenant") == expected


@pytest.mark.parametrize("topic", ["homework", "formats", "first_session", "not_working"])
def test_a_topic_button_is_answered_with_that_topic(topic: str) -> None:
    # what the classifiers make of the raw payload text: an unsure fallback
    m = faq_message("cbt", 0.3)
    m.set("text", f"/faq/{topic}")
    m.set("intent", {"name": "nlu_fallback", "confidence": 0.4})
    FaqGuard({"threshold": 0.1}).process([m])
    assert m.get("intent")["name"] == "faq" and m.get("intent")["confidence"] == 1.0
    response = m.get("response_selector")["faq"]["response"]
    assert response["intent_response_key"] == f"faq/{topic}" and response["utter_action"] == f"utter_faq/{topic}"
    assert entity(m, "faq_topic") == topic


def test_an_unknown_topic_payload_is_not_trusted() -> None:
    m = faq_message("cbt", 0.05)
    m.set("text", "/faq/not_a_topic")
    FaqGuard({"threshold": 0.1}).process([m])
    assert m.get("intent")["name"] == "nlu_fallback"
