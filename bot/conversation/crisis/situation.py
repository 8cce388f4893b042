"""The situation behind a crisis message where one category has more than one right reply.

Why: the crisis model gives the category, but within a category the right
first step differs. A parent afraid of harming their baby needs "put your baby
somewhere safe and step away" and a perinatal line. A child writing about
themselves needs a children's line and words a child reads ("it is not your
fault"); an adult worried about a child needs the line for concerned adults.
Someone in immediate danger from a partner at the door needs the emergency
number and then the domestic-violence line; someone on a bridge needs the
emergency number and then the suicide crisis line.

The patterns are data (``data/crisis/situations.yml``, each rule with the
examples it must match and must not); this reads the situation from the words,
and ``bot.conversation.nlg.ContextualNLG`` puts it in the ``crisis_situation``
slot at render time so Rasa picks the matching variant. When no rule fires the
category's general reply, written to fit every situation, is sent.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import yaml

from bot.core.settings import ROOT
from bot.understanding.crisis_rules import normalise

SITUATIONS_FILE = ROOT / "data" / "crisis" / "situations.yml"
GENERAL = "general"
PERINATAL = "perinatal"


@dataclass(frozen=True)
class SituationRule:
    situation: str
    pattern: re.Pattern[str]
    unless: Optional[re.Pattern[str]] = None
    examples: tuple[str, ...] = ()
    non_examples: tuple[str, ...] = ()

    def fires(self, normalised: str) -> bool:
        return bool(self.pattern.search(normalised)) and not (self.unless and self.unless.search(normalised))


def parse(doc: dict) -> dict[str, tuple[SituationRule, ...]]:
    """Category -> its situation rules, in the order they are tried."""
    return {
        str(category): tuple(
            SituationRule(
                situation=str(r["situation"]),
                pattern=re.compile(r["pattern"]),
                unless=re.compile(r["unless"]) if r.get("unless") else None,
                examples=tuple(r.get("examples") or ()),
                non_examples=tuple(r.get("non_examples") or ()),
            )
            for r in rules
        )
        for category, rules in (doc.get("categories") or {}).items()
    }


@functools.lru_cache(maxsize=1)
def load_rules(path: Path = SITUATIONS_FILE) -> dict[str, tuple[SituationRule, ...]]:
    return parse(yaml.safe_load(path.read_text(encoding="utf-8")))


def situations_of(category: str) -> tuple[str, ...]:
    """The situations a category's replies are written for besides ``general``, in file order, no repeats."""
    return tuple(dict.fromkeys(rule.situation for rule in load_rules().get(category, ())))


# Categories whose replies have a variant per situation (``general`` and each of these).
SITUATION_CATEGORIES: dict[str, tuple[str, ...]] = {category: situations_of(category) for category in load_rules()}


def situation(text: str, category: Optional[str] = None) -> str:
    """The first situation of ``category`` whose rule fires on ``text``, else ``general``.

    Without a category every category's rules are tried in file order (the
    renderer always passes the category of the reply it renders).
    """
    rules = load_rules()
    categories = [category] if category else list(rules)
    normalised = normalise(text or "")
    for name in categories:
        for rule in rules.get(name or "", ()):
            if rule.fires(normalised):
                return rule.situation
    return GENERAL
