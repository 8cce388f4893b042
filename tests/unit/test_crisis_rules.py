"""The explicit-statement rules (data/crisis/rules.yml): every rule proven by its own examples."""

from __future__ import annotations

import pytest

from bot.understanding.crisis_data import CATEGORIES
from bot.understanding.crisis_rules import CrisisRules, normalise

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
