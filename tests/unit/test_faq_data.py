"""The FAQ evaluation sets stay apart from the training data: by family, by line and by source."""

from __future__ import annotations

from collections import defaultdict

import pytest
import yaml

from bot.understanding import faq_data
from bot.understanding.intent_model import NOT_LEARNED, label_of
from bot.understanding.overlap import OVERLAP_LIMIT, near_duplicates

SETS = {"dev families": faq_data.dev_examples, "public questions": faq_data.read_public, "test families": faq_data.final_examples,
        "fresh test families": faq_data.fresh_examples}


@pytest.fixture(scope="module")
def train() -> list[faq_data.Example]:
    return faq_data.train_examples()


@pytest.mark.parametrize("name", SETS)
def test_no_evaluation_line_equals_or_nearly_equals_a_training_line(train: list, name: str) -> None:
    # Only the training side is shown, so the held-out line is never read by whoever rewords the training one.
    pairs = [(t.text, round(s, 2)) for _, t, s in near_duplicates(SETS[name](), train)]
    clashes = len(pairs)  # a count in the assertion: pytest prints its operands
    assert clashes == 0, f"{clashes} {name} lines share >= {OVERLAP_LIMIT:.0%} of their words with training lines: {pairs[:5]}"


def test_test_lines_are_apart_from_dev_lines() -> None:
    pairs = list(near_duplicates(faq_data.final_examples(), [*faq_data.dev_examples(), *faq_data.read_public()]))
    clashes = len(pairs)  # only the count and the dev side: the test lines stay unread
    assert clashes == 0, [t.text for _, t, _ in pairs[:5]]


def test_fresh_test_lines_are_apart_from_every_other_evaluation_line() -> None:
    others = [*faq_data.dev_examples(), *faq_data.read_public(), *faq_data.final_examples()]
    pairs = list(near_duplicates(faq_data.fresh_examples(), others))
    clashes = len(pairs)  # the fresh side only, so whoever rewords it never reads the other splits
    assert clashes == 0, f"{clashes} fresh test lines nearly equal other evaluation lines: {[e.text for e, _, _ in pairs]}"


def test_a_family_lives_in_one_split_only(train: list) -> None:
    where: dict[str, set[str]] = defaultdict(set)
    for split, examples in (("train", train), ("dev", faq_data.dev_examples()), ("test", faq_data.final_examples()),
                            ("fresh", faq_data.fresh_examples())):
        for e in examples:
            if e.family:
                where[e.family].add(split)
    assert not {f: s for f, s in where.items() if len(s) > 1}


def test_every_label_is_one_the_model_learns(train: list) -> None:
    known = {e.label for e in train}
    for name, load in SETS.items():
        unknown = {e.label for e in load()} - known
        assert not unknown, f"{name}: labels with no training data: {unknown}"


def test_the_evaluation_sets_are_large_enough_to_mean_something() -> None:
    test, fresh = faq_data.final_examples(), faq_data.fresh_examples()
    dev, public = faq_data.dev_examples(), faq_data.read_public()
    every_topic = {e.label for e in faq_data.train_examples() if e.label.startswith("faq/")}
    for split in (test, fresh):
        assert {e.label for e in split if e.label.startswith("faq/")} == every_topic
    assert len(test) >= 400 and len(fresh) >= 400 and len(dev) >= 300 and len(public) >= 100


def test_public_questions_name_their_source_and_licence() -> None:
    doc = yaml.safe_load(faq_data.PUBLIC_FILE.read_text(encoding="utf-8"))
    sources = {s["id"]: s for s in doc["sources"]}
    assert all(s.get("licence") and s.get("url") for s in sources.values())
    assert {i["source"] for i in doc["items"]} <= set(sources)
    assert (faq_data.DEV_DIR / "SOURCES.md").exists()


def test_labels_follow_the_models_convention() -> None:
    assert label_of("faq", "faq/cbt") == "faq/cbt" and label_of("greet", None) == "greet"
    assert not {e.label for e in faq_data.train_examples()} & NOT_LEARNED


@pytest.mark.parametrize("name", SETS)
def test_no_evaluation_line_is_in_the_crisis_models_training_data(name: str) -> None:
    # The crisis model learns everyday messages too; the FAQ sets' crisis false-alarm figures must not be flattered.
    from bot.understanding import crisis_data

    pairs = list(near_duplicates(SETS[name](), crisis_data.load(crisis_data.TRAIN_DIR)))
    assert not pairs, [t.text for _, t, _ in pairs[:5]]
