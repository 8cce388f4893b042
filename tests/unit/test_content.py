"""The FAQ content contract: every topic answered, answers readable, examples sound."""

from __future__ import annotations

import functools
import re
from collections import Counter
from pathlib import Path

import pytest
import textstat
import yaml

from bot.settings import ROOT

TOPICS = yaml.safe_load((ROOT / "data/knowledge/topics.yml").read_text())["topics"]
TOPIC_IDS = [t["id"] for t in TOPICS]
NLU_FILES = sorted((ROOT / "data/nlu").glob("*.yml"))
MIN_EXAMPLES = 15


@functools.cache
def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {}


def examples_by_intent(paths: list[Path]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in paths:
        for block in load(path).get("nlu") or []:
            if "intent" in block:
                lines = [line[2:].strip() for line in block["examples"].splitlines() if line.strip().startswith("- ")]
                found.setdefault(block["intent"], []).extend(lines)
    return found


def responses() -> dict[str, list[dict]]:
    merged: dict[str, list[dict]] = {}
    for path in NLU_FILES + [ROOT / "domain.yml"]:
        merged.update(load(path).get("responses") or {})
    return merged


TRAINING = examples_by_intent(NLU_FILES)
RESPONSES = responses()


def answer(topic: str) -> dict:
    return RESPONSES[f"utter_faq/{topic}"][0]


def plain(text: str) -> str:
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)  # link text only
    return text.replace("**", "").replace("{retention_days}", "30")


def test_topic_ids_match_the_contract() -> None:
    assert len(TOPIC_IDS) == 34 and len(set(TOPIC_IDS)) == 34


@pytest.mark.parametrize("topic", TOPIC_IDS)
def test_every_topic_has_enough_examples(topic: str) -> None:
    assert len(TRAINING.get(f"faq/{topic}", [])) >= MIN_EXAMPLES


@pytest.mark.parametrize("topic", TOPIC_IDS)
def test_every_topic_has_an_answer_of_40_to_120_words(topic: str) -> None:
    words = len(plain(answer(topic)["text"]).split())
    assert 40 <= words <= 120, f"{topic}: {words} words"


@pytest.mark.parametrize("topic", TOPIC_IDS)
def test_answers_end_with_two_or_three_related_topics(topic: str) -> None:
    buttons = answer(topic).get("buttons") or []
    assert 2 <= len(buttons) <= 3
    for b in buttons:
        assert b["payload"].startswith("/faq/") and b["payload"][5:] in TOPIC_IDS, b
        assert b["payload"] != f"/faq/{topic}"


def test_answers_are_plain_language() -> None:
    grades = {t: textstat.flesch_kincaid_grade(plain(answer(t)["text"])) for t in TOPIC_IDS}
    average = sum(grades.values()) / len(grades)
    print(f"\nFlesch-Kincaid grade of the {len(grades)} FAQ answers: average {average:.1f}, max {max(grades.values()):.1f}")
    too_hard = {t: g for t, g in grades.items() if g > 9}
    assert not too_hard, too_hard


@pytest.mark.parametrize("topic", TOPIC_IDS)
def test_faq_answers_leave_crisis_wording_to_the_crisis_path(topic: str) -> None:
    text = answer(topic)["text"].lower()
    assert "suicide" not in text and "988" not in text
    assert "<" not in text, "no HTML in answers"


def test_no_example_is_shared_between_intents() -> None:
    owner: dict[str, str] = {}
    clashes = []
    for intent, lines in TRAINING.items():
        for line in lines:
            key = line.lower()
            if key in owner and owner[key] != intent:
                clashes.append((line, owner[key], intent))
            owner[key] = intent
    assert not clashes


def test_no_duplicate_examples_within_an_intent() -> None:
    dupes = {i: [x for x, n in Counter(s.lower() for s in lines).items() if n > 1] for i, lines in TRAINING.items()}
    assert not {i: d for i, d in dupes.items() if d}


def test_holdout_is_separate_from_training() -> None:
    holdout = examples_by_intent([ROOT / "tests/nlu_holdout.yml"])
    assert set(holdout) == {f"faq/{t}" for t in TOPIC_IDS}
    assert all(len(v) >= 5 for v in holdout.values())
    training = {line.lower() for lines in TRAINING.values() for line in lines}
    leaked = [line for lines in holdout.values() for line in lines if line.lower() in training]
    assert not leaked, leaked


def test_sources_are_listed() -> None:
    text = (ROOT / "docs/sources.md").read_text()
    assert "mayoclinic.org" in text
