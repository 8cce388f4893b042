"""One source per fact: a helpline changed in ``data/resources/helplines.yml`` reaches every place that shows it.

The places: the crisis reply of the turn itself (responses generated from the
catalogue, rendered by the Rasa process), the full list the action server
sends, the web page's built-in lines (shown even when the chat cannot
connect) and the reviewers' transcripts. The committed generated files are
held to the catalogue by ``test_generated_file_is_fresh`` and
``test_the_transcripts_file_is_fresh``; this test proves each place is made
from the catalogue and nothing else, by changing one number and reading it
back everywhere.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Iterator

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.crisis import ActionCrisisResources
from bot.conversation.crisis import responses, transcripts
from bot.conversation.helplines import load_catalogue
from bot.conversation.nlg import ContextualNLG
from bot.core import wiring
from bot.core.settings import ROOT
from bot.runtime.web import crisis_resources

# 555-01xx numbers are reserved for fiction in North America: no real service answers one.
CHANGED = "555-0199"
FIXTURES = ROOT / "tests" / "fixtures" / "trackers"


@pytest.fixture()
def catalogue_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the catalogue with the US crisis line's phone number changed, made the process's catalogue."""
    data = yaml.safe_load((ROOT / "data" / "resources" / "helplines.yml").read_text(encoding="utf-8"))
    entry = next(e for e in data["regions"]["US"]["resources"] if e["id"] == "us_988")
    entry["phone"] = CHANGED
    path = tmp_path / "helplines.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("RESOURCES_FILE", str(path))
    wiring.reload_settings()
    yield path
    wiring.reload_settings()


def test_the_crisis_turn_shows_the_changed_number(catalogue_file: Path) -> None:
    generated = responses.build(load_catalogue(catalogue_file))
    domain = Domain.from_dict({"responses": generated["responses"], "slots": {
        "channel_region": {"type": "text", "mappings": [{"type": "custom"}]}}})
    tracker = DialogueStateTracker.from_events("visitor", [SlotSet("channel_region", "US")], slots=domain.slots)
    reply = asyncio.run(ContextualNLG(domain=domain).generate("utter_crisis_suicide", tracker, "rest"))
    assert reply is not None and CHANGED in reply["text"]


async def test_the_full_list_shows_the_changed_number(catalogue_file: Path) -> None:
    dispatcher = CollectingDispatcher()
    tracker = Tracker.from_dict(json.loads((FIXTURES / "crisis_more_default_sms.json").read_text()))
    await ActionCrisisResources().run(dispatcher, tracker, {"responses": {}})
    assert CHANGED in dispatcher.messages[0]["text"]


def test_the_web_pages_built_in_lines_show_the_changed_number(catalogue_file: Path) -> None:
    assert CHANGED in json.dumps(crisis_resources("US", "plain"))


def test_the_transcripts_show_the_changed_number(catalogue_file: Path, tmp_path: Path) -> None:
    generated = tmp_path / "responses.yml"
    generated.write_text(responses.render(load_catalogue(catalogue_file)), encoding="utf-8")
    assert CHANGED in transcripts.render(generated)


def test_the_unchanged_catalogue_does_not_show_it() -> None:
    # Without the change the number appears nowhere: the tests above can fail.
    assert CHANGED not in responses.render(load_catalogue())
    assert CHANGED not in json.dumps(crisis_resources("US", "plain"))
