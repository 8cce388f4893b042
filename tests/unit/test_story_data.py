"""The test stories speak in their own words: no user line equals or nearly equals a training line.

``make test`` runs these stories against the trained model with
``--fail-on-prediction-errors``; a story whose message is in the training data
would only check that the model remembers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, List, Sequence

import pytest
import yaml

from bot.understanding import crisis_data
from bot.understanding.overlap import OVERLAP_LIMIT, HasText, near_duplicates, words

STORIES = Path(__file__).resolve().parents[1] / "stories"
# A button's payload or a one-word reply ("yes", "hi") is a click or a greeting, not a sentence a model is tested on.
MIN_WORDS = 3


@dataclass(frozen=True)
class StoryLine:
    text: str
    where: str


def _user_lines(node: object, where: str) -> Iterator[StoryLine]:
    if isinstance(node, dict):
        text = node.get("user")
        if isinstance(text, str) and not text.lstrip().startswith("/"):
            yield StoryLine(text.strip(), where)
        for value in node.values():
            yield from _user_lines(value, where)
    elif isinstance(node, list):
        for item in node:
            yield from _user_lines(item, where)


def story_lines() -> List[StoryLine]:
    out: List[StoryLine] = []
    for path in sorted(STORIES.glob("*.yml")):
        for story in yaml.safe_load(path.read_text(encoding="utf-8")).get("stories") or []:
            out.extend(_user_lines(story.get("steps"), f"{path.name}: {story.get('story')}"))
    return out


def test_the_stories_have_user_lines_to_check() -> None:
    # The walk above must find the lines, or the check below passes on nothing.
    lines = story_lines()
    assert len(lines) >= 50 and sum(len(words(s.text)) >= MIN_WORDS for s in lines) >= 40


def nlu_lines() -> List[StoryLine]:
    # Every intent's examples, those no model learns from (crisis, crisis_share) included: they are training data too.
    return [StoryLine(text, intent) for intent, text in crisis_data.read_nlu_files()]


@pytest.mark.parametrize("name, load", [
    ("data/nlu", nlu_lines),
    ("crisis model", lambda: crisis_data.load(crisis_data.TRAIN_DIR)),
])
def test_no_story_line_equals_or_nearly_equals_a_training_line(name: str, load: Callable[[], Sequence[HasText]]) -> None:
    lines = [s for s in story_lines() if len(words(s.text)) >= MIN_WORDS]
    pairs = [(s.where, s.text, t.text, round(score, 2)) for s, t, score in near_duplicates(lines, load())]
    clashes = len(pairs)
    assert clashes == 0, f"{clashes} story lines share >= {OVERLAP_LIMIT:.0%} of their words with {name} training lines: {pairs[:8]}"
