"""The explicit-statement rules (data/crisis/rules/): every rule proven by its own examples."""

from __future__ import annotations

import pytest
import yaml

from bot.understanding import crisis_data
from bot.understanding.crisis_data import CATEGORIES
from bot.understanding.crisis_rules import CrisisRules, normalise
from bot.understanding.overlap import words

RULES = CrisisRules.load()
CASES = [(rule.id, text, True) for rule in RULES.rules for text in rule.examples] + [
    (rule.id, text, False) for rule in RULES.rules for text in rule.non_examples
]


def test_every_rule_names_a_category_and_carries_examples_both_ways() -> None:
    for rule in RULES.rules:
        assert rule.category in CATEGORIES, rule.id
        assert rule.examples and rule.non_examples, f"{rule.id} needs examples and non_examples"
    assert len({r.id for r in RULES.rules}) == len(RULES.rules)


@pytest.mark.parametrize("rule_id,text,fires", CASES)
def test_rule_examples(rule_id: str, text: str, fires: bool) -> None:
    rule = next(r for r in RULES.rules if r.id == rule_id)
    assert rule.fires(normalise(text)) is fires


def test_no_rule_example_is_an_evaluation_line() -> None:
    """A rule written to fire on a dev or test line, word for word, would make that line's figure its own doing."""
    evaluation = {words(e.text) for d in (crisis_data.DEV_DIR, crisis_data.TEST_DIR, crisis_data.FRESH_TEST_DIR)
                  for e in crisis_data.load(d)}
    copied = [f"{rule_id}: {text!r}" for rule_id, text, _ in CASES if words(text) in evaluation]
    assert not copied, "reword these rule examples:\n" + "\n".join(copied)


@pytest.mark.parametrize(
    "text,category",
    [
        ("I’M GOING TO KILL MYSELF", "suicide"),  # curly apostrophe, capitals
        ("ｉ want to die", "suicide"),  # fullwidth letters fold
        ("just downed a bottle of tablets", "attempt"),
        ("me tomé todas las pastillas del cajón", "attempt"),
    ],
)
def test_matching_survives_the_way_people_type(text: str, category: str) -> None:
    hit = RULES.match(text)
    assert hit is not None and hit.category == category


@pytest.mark.parametrize(
    "text,language",
    [
        ("ya no quiero vivir", "es"),
        ("¿cuánto cuesta la terapia?", "es"),
        ("no sé qué hacer con mi vida", "es"),
        ("how much does therapy cost", "en"),
        ("no, i don't", "en"),
        ("hola", "en"),  # one word is not enough to switch the reply's language
    ],
)
def test_reply_language(text: str, language: str) -> None:
    assert RULES.language(text, RULES.match(text)) == language


# The rules hand off at once, whatever the model says, so they are held to the
# data as a whole and not only to their own examples: on the crisis model's
# lookalikes and everyday lines and the FAQ data (thousands of lines written to
# look like a crisis and not be one) they may fire on a handful, and on the
# explicit statements, attempts and dangers they must still catch a good share.
# The lines a rule still fires on are hyperbole no pattern tells apart ("my
# teammates are so bad i want to die"): the model reads those.
MAX_LOOKALIKE_FIRES = 0.0005
MIN_HANDOFF_KIND_HITS = 0.3


@pytest.fixture(scope="module")
def training_lines() -> tuple[list[crisis_data.Example], list[crisis_data.Example]]:
    """(non-crisis lines, explicit/attempt/danger lines) of the crisis model's data and data/nlu, read once."""
    examples = crisis_data.training_examples()
    return [e for e in examples if not e.is_crisis], [e for e in examples if e.kind in crisis_data.HANDOFF_KINDS]


def test_rules_stay_silent_on_the_lookalikes_and_everyday_lines(training_lines) -> None:
    others, _ = training_lines
    fired = [f"{hit.rule}: {e.text[:80]!r}" for e in others if (hit := RULES.match(e.text)) is not None]
    assert len(others) > 5000
    assert len(fired) <= MAX_LOOKALIKE_FIRES * len(others), "\n".join(fired)


def test_rules_catch_a_share_of_explicit_statements_attempts_and_dangers(training_lines) -> None:
    _, handoff = training_lines
    caught = [(e, hit) for e in handoff if (hit := RULES.match(e.text)) is not None]
    assert len(handoff) > 1000 and len(caught) >= MIN_HANDOFF_KIND_HITS * len(handoff)
    # A rule names the category the hand-off replies for: an attempt is not read as a danger or the reverse.
    urgent = {"attempt", "immediate_danger"}
    wrong = [e.text[:80] for e, hit in caught if e.kind in urgent and hit.category in urgent and hit.category != e.category]
    assert not wrong, wrong


def test_the_rules_are_read_from_every_file_in_name_order(tmp_path) -> None:
    """The first rule that fires names the category, so the order of the files is part of the behaviour."""
    rule = {"pattern": "\\bpills\\b", "examples": ["x"], "non_examples": ["y"]}
    (tmp_path / "a.yml").write_text(yaml.safe_dump({"statements": [{**rule, "id": "a", "category": "attempt"}]}))
    (tmp_path / "b.yml").write_text(yaml.safe_dump({"statements": [{**rule, "id": "b", "category": "suicide"}]}))
    (tmp_path / "language.yml").write_text(yaml.safe_dump({"language": {"min_words": 2, "spanish": "que", "english": "the"}}))
    hit = CrisisRules.load(tmp_path).match("took all the pills")
    assert hit is not None and (hit.rule, hit.category) == ("a", "attempt")


def test_a_rules_folder_without_exactly_one_language_section_is_refused(tmp_path) -> None:
    (tmp_path / "a.yml").write_text(yaml.safe_dump({"statements": []}))
    with pytest.raises(ValueError, match="language"):
        CrisisRules.load(tmp_path)


def test_pills_taken_and_a_wish_to_die_read_as_an_attempt() -> None:
    hit = RULES.match("i want to die, i just swallowed a whole bottle of tablets")
    assert hit is not None and hit.category == "attempt"
