"""A message that starts with "/" is never written to the log by Rasa's intent-syntax warning."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

from rasa.shared.core.domain import Domain
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.training_data.message import Message

from bot.core.settings import ROOT
from bot.runtime.rasa_cli import no_message_text_in_slash_warnings


def parse(text: str) -> list[warnings.WarningMessage]:
    domain = Domain.load(str(ROOT / "domain.yml"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("once", category=UserWarning)  # what `rasa run` sets up first
        no_message_text_in_slash_warnings()
        YAMLStoryReader.unpack_regex_message(Message({"text": text}), domain)
    return [w for w in caught if "Failed to parse arguments" in str(w.message)]


def test_a_slash_message_naming_no_intent_is_not_logged() -> None:
    assert parse("/i need someone to talk to tonight") == []
    assert parse("/faq/cbt") == []


def test_without_the_filter_rasa_would_log_the_text() -> None:
    domain = Domain.load(str(ROOT / "domain.yml"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("once", category=UserWarning)
        YAMLStoryReader.unpack_regex_message(Message({"text": "/i need someone to talk to tonight"}), domain)
    assert any("i need someone to talk to tonight" in str(w.message) for w in caught)


def test_the_interpreters_warning_options_win_over_sanics() -> None:
    """`make` asks for no deprecation notices; Sanic's import-time "once" filter used to override that."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning,ignore::PendingDeprecationWarning"}
    done = subprocess.run([sys.executable, "-m", "bot.runtime.rasa_cli", "--version"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    assert "Rasa Version" in done.stdout
    assert "DeprecationWarning" not in done.stderr
