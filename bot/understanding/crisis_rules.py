"""Explicit crisis statements as data (``data/crisis/rules/``), and the message's language.

The rules only raise: an explicit statement ("i want to kill myself", "me
tomé todas las pastillas") is handed off whatever the model's probability.
A rule that stays silent rules nothing out. Each rule carries the examples it
must match and must not, which the unit tests check.

The files are read in name order and the first rule that fires names the
category, so ``en_attempt_danger.yml`` comes before ``en_suicide.yml``: a
message that tells of pills just taken and of wanting to die is an attempt,
and its reply leads with the emergency number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

from bot.core import wiring, yamlfile

RULES_DIR = Path(__file__).resolve().parents[2] / "data" / "crisis" / "rules"
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[\wáéíóúñü']+")


def normalise(text: str) -> str:
    """Lower case, compatibility forms folded (fullwidth letters), straight apostrophes, single spaces."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("‘", "'")
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    pattern: re.Pattern[str]
    unless: Optional[re.Pattern[str]]
    language: str = "en"
    examples: tuple[str, ...] = ()
    non_examples: tuple[str, ...] = ()

    def fires(self, normalised: str) -> bool:
        return bool(self.pattern.search(normalised)) and not (self.unless and self.unless.search(normalised))


@dataclass(frozen=True)
class Hit:
    rule: str
    category: str
    language: str


@dataclass
class CrisisRules:
    rules: List[Rule]
    min_words: int = 2
    spanish: frozenset[str] = field(default_factory=frozenset)
    english: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def load(cls, directory: Path = RULES_DIR) -> CrisisRules:
        docs = [yamlfile.read(p) or {} for p in sorted(directory.glob("*.yml"))]
        rules = [
            Rule(
                id=r["id"],
                category=r["category"],
                pattern=re.compile(r["pattern"]),
                unless=re.compile(r["unless"]) if r.get("unless") else None,
                language=r.get("language", "en"),
                examples=tuple(r.get("examples") or ()),
                non_examples=tuple(r.get("non_examples") or ()),
            )
            for doc in docs
            for r in doc.get("statements") or ()
        ]
        languages = [doc["language"] for doc in docs if doc.get("language")]
        if len(languages) != 1:
            raise ValueError(f"{directory}: exactly one file must set `language`, found {len(languages)}")
        lang = languages[0]
        return cls(
            rules,
            int(lang.get("min_words", 2)),
            frozenset(str(lang.get("spanish", "")).lower().split()),
            frozenset(str(lang.get("english", "")).lower().split()),
        )

    def match(self, text: str) -> Optional[Hit]:
        """The first rule that fires on ``text``, if any."""
        normalised = normalise(text)
        for rule in self.rules:
            if rule.fires(normalised):
                return Hit(rule.id, rule.category, rule.language)
        return None

    def language(self, text: str, hit: Optional[Hit] = None) -> str:
        """``es`` or ``en``: the reply's language."""
        if hit is not None and hit.language == "es":
            return "es"
        tokens = _WORD.findall(normalise(text))
        spanish = sum(t in self.spanish for t in tokens)
        english = sum(t in self.english for t in tokens)
        accents = any(ch in "ñáéíóú¿¡" for ch in text.lower())
        if spanish >= self.min_words and (spanish > english or (accents and spanish >= english)):
            return "es"
        return "en"


def get_rules() -> CrisisRules:
    return wiring.get("crisis_rules", CrisisRules.load)
