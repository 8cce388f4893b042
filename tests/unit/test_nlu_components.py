"""The project's NLU components on real rasa Message objects."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.understanding.context import ContextExtractor, region_from_metadata, region_from_text


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


@pytest.mark.parametrize(
    "metadata, expected",
    [
        ({"region": "ie", "region_fixed": True}, "IE"),
        ({"region": "IE"}, None),  # the organisation's region alone is a channel region
        ({"region": "IE", "region_fixed": "true"}, None),  # only a real boolean fixes it
        ({"locale": "en-IE", "region_fixed": True}, None),  # a browser locale is never fixed
        (None, None),
    ],
)
def test_context_extractor_emits_a_fixed_region_only_when_the_organisation_says_so(metadata, expected) -> None:
    m = Message(data={"text": "i'm in the uk", "metadata": metadata})
    ContextExtractor({}).process([m])
    assert entity(m, "fixed_region") == expected and entity(m, "region") == "GB"


@pytest.mark.parametrize(
    "metadata, expected",
    [({"tenant": "acme"}, "acme"), ({"tenant": "Acme Corp!"}, None), ({"tenant": 5}, None), ({}, None), (None, None)],
)
def test_context_extractor_passes_on_a_well_formed_tenant(metadata, expected) -> None:
    m = Message(data={"text": "how much does therapy cost", "metadata": metadata})
    ContextExtractor({}).process([m])
    assert entity(m, "tenant") == expected
