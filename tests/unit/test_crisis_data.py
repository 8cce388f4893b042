"""The crisis model's data: enough of it, every kind covered, split by family, no evaluation line in training."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.understanding.crisis_data import (
    CRISIS_KINDS,
    DEV_DIR,
    FRESH_TEST_DIR,
    LOOKALIKE_KINDS,
    ROOT,
    TEST_DIR,
    TRAIN_DIR,
    Example,
    load,
    near_duplicates,
    overlap,
    read_nlu_files,
    words,
)

TRAIN, DEV, TEST, FRESH = load(TRAIN_DIR), load(DEV_DIR), load(TEST_DIR), load(FRESH_TEST_DIR)


def rasa_nlu_lines() -> list[Example]:
    """Every training example of the Rasa NLU data, crisis intents included: no evaluation line may be one."""
    return [Example(text, "none", "faq", f"nlu-{intent}") for intent, text in read_nlu_files()]


def test_enough_training_data_of_every_kind() -> None:
    everything = TRAIN + [e for e in DEV if e.style != "public"]
    crisis = [e for e in everything if e.is_crisis]
    others = [e for e in everything if not e.is_crisis]
    assert len(crisis) >= 2500
    assert len(others) >= 5000
    assert sum(e.kind in LOOKALIKE_KINDS for e in others) >= 2000
    assert sum(e.kind == "unrelated" for e in others) >= 1000
    kinds = Counter(e.kind for e in TRAIN)
    for kind in [*CRISIS_KINDS, *LOOKALIKE_KINDS, "unrelated", "faq", "smalltalk"]:
        assert kinds[kind] >= 40, f"training data has only {kinds[kind]} messages of kind {kind}"
    assert sum(e.style == "spanish" and e.is_crisis for e in TRAIN) >= 100


@pytest.mark.parametrize("name,test", [("test", TEST), ("fresh test", FRESH)])
def test_the_test_sets_cover_every_crisis_kind_and_lookalike(name: str, test: list[Example]) -> None:
    assert len(test) >= 600
    kinds = Counter(e.kind for e in test)
    for kind in [*CRISIS_KINDS, *LOOKALIKE_KINDS]:
        assert kinds[kind] >= 10, f"{name} set has only {kinds[kind]} messages of kind {kind}"
    assert sum(e.style == "spanish" and e.is_crisis for e in test) >= 20


def test_a_public_dev_set_with_its_licence() -> None:
    public = [e for e in DEV if e.style == "public"]
    assert len(public) >= 150 and sum(e.is_crisis for e in public) >= 50
    doc = next(yaml.safe_load_all((DEV_DIR / "public.yml").read_text(encoding="utf-8")))
    assert "MIT" in doc["licence"] and "Apache" in doc["licence"]
    assert (DEV_DIR / "SOURCES.md").exists()


def test_splits_share_no_family() -> None:
    train, dev, test, fresh = ({e.family for e in s} for s in (TRAIN, DEV, TEST, FRESH))
    assert not train & dev and not train & test and not dev & test
    assert not fresh & (train | dev | test)


def test_the_fresh_test_set_repeats_no_dev_or_earlier_test_line() -> None:
    # Written apart from both: a line of either, reworded, would be measured twice.
    clashes = len(list(near_duplicates(FRESH, DEV + TEST)))
    assert clashes == 0, f"{clashes} fresh test lines share >= 80% of their words with dev or earlier test lines"


def test_family_ids_are_unique_within_the_training_data() -> None:
    seen: dict[str, Path] = {}
    for path in TRAIN_DIR.glob("*.yml"):
        for family in yaml.safe_load(path.read_text(encoding="utf-8"))["families"]:
            assert family["family"] not in seen, f"{family['family']} in {path.name} and {seen[family['family']]}"
            seen[family["family"]] = path.name


def test_the_overlap_measure() -> None:
    assert overlap(words("I want to die."), words("i want to DIE")) == 1.0
    assert overlap(words("i want to die tonight"), words("i want to die")) == 0.8
    assert overlap(words("i want to die tonight please"), words("i want to die")) < 0.8


@pytest.mark.parametrize("limit", [0.5, 0.8, 0.9])
def test_near_duplicates_finds_every_pair_a_full_comparison_finds(limit: float) -> None:
    """The prefix filter only skips work: on real lines, the same pairs as comparing every line with every other."""
    evaluation = [e for e in TRAIN[::23] if len(e.text) < 80][:150]
    training = TRAIN[1::7]
    train_words = [(b.text, words(b.text)) for b in training]
    full = {(a.text, text) for a in evaluation if (ws := words(a.text))
            for text, other in train_words if overlap(ws, other) >= limit}
    found = {(a.text, b.text) for a, b, _ in near_duplicates(evaluation, training, limit)}
    assert found == full and (limit > 0.8 or full)  # the lower limits pair some lines: the test can fail


@pytest.mark.parametrize("name,evaluation", [("dev", DEV), ("test", TEST), ("fresh test", FRESH)])
def test_no_evaluation_line_equals_or_nearly_equals_a_training_line(name: str, evaluation: list[Example]) -> None:
    pairs = list(near_duplicates(evaluation, TRAIN + rasa_nlu_lines()))
    # Only the training side is shown: whoever fixes the data rewords the training line without reading the held-out one.
    # A count, not the list: pytest would print the list's repr, held-out lines included.
    shown = "\n".join(f"  {score:.2f} ~ {t.text!r}" for _, t, score in pairs[:20])
    clashes = len(pairs)
    assert clashes == 0, f"{clashes} {name} lines share >= 80% of their words with these training lines:\n{shown}"


def test_no_crisis_training_line_nearly_equals_a_faq_hold_out_line() -> None:
    hold_out = [
        Example(line.strip()[2:], "none", "faq", "holdout")
        for block in yaml.safe_load((ROOT / "tests" / "faq" / "dev" / "holdout.yml").read_text(encoding="utf-8"))["nlu"]
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    ]
    pairs = list(near_duplicates(hold_out, TRAIN))
    clashes = len(pairs)
    assert clashes == 0, f"{clashes} crisis training lines nearly equal FAQ hold-out lines, e.g. {pairs[0][1].text!r}"
