"""The crisis model's data: families of messages, their kinds, and the split rules.

A family is one situation in many wordings. Data are split by family, never by
line: the training families live in ``data/crisis/model/``, the dev families
(thresholds are chosen on them) and the public dev set in ``tests/crisis/dev/``,
and the test set, written in a separate pass from separate families, in
``tests/crisis/test/``. :func:`near_duplicates` finds evaluation lines that
equal or nearly equal a training line (a test fails on any).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Optional

from bot.core import yamlfile
from bot.understanding.overlap import OVERLAP_LIMIT as OVERLAP_LIMIT  # noqa: F401 - part of this module's API
from bot.understanding.overlap import near_duplicates as near_duplicates  # noqa: F401
from bot.understanding.overlap import overlap as overlap  # noqa: F401
from bot.understanding.overlap import words as words  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
TRAIN_DIR = ROOT / "data" / "crisis" / "model"
DEV_DIR = ROOT / "tests" / "crisis" / "dev"
TEST_DIR = ROOT / "tests" / "crisis" / "test"
# A second test set, written afresh after the first had informed a decision (docs/crisis-protocol.md).
FRESH_TEST_DIR = ROOT / "tests" / "crisis" / "test_fresh"

NONE = "none"
CATEGORIES = (
    "suicide", "self_harm", "attempt", "immediate_danger", "harm_to_others", "abuse", "child_abuse", "third_party",
)
# Kind -> the category its messages carry (psychosis: suicide or harm_to_others, by its target).
CRISIS_KINDS = {
    "explicit": "suicide", "passive": "suicide", "plan_means": "suicide", "preparation": "suicide",
    "burden": "suicide", "hopeless_intent": "suicide", "psychosis": None, "attempt": "attempt",
    "immediate_danger": "immediate_danger", "self_harm": "self_harm", "harm_to_others": "harm_to_others",
    "perinatal": "harm_to_others", "abuse": "abuse", "child_abuse": "child_abuse", "third_party": "third_party",
}
# Kinds that must be handed off, never only checked in on.
HANDOFF_KINDS = frozenset({"explicit", "attempt", "immediate_danger"})
LOOKALIKE_KINDS = frozenset({
    "hyperbole", "figurative", "titles_media", "jargon", "logistics", "medication", "topic", "past_resolved",
    "denial_question", "sadness",
})
OTHER_KINDS = frozenset({"unrelated", "faq", "smalltalk"})
# Where a gentle check-in is an acceptable answer to a non-crisis message.
CHECK_IN_TOLERATED = frozenset({"sadness", "denial_question", "past_resolved"})


@dataclass(frozen=True)
class Example:
    text: str
    category: str  # one of CATEGORIES or NONE
    kind: str
    family: str
    style: Optional[str] = None

    @property
    def is_crisis(self) -> bool:
        return self.category != NONE


def read_file(path: Path) -> List[Example]:
    """Examples of one family file; a malformed family raises ValueError naming it."""
    doc = yamlfile.read(path) or {}
    out: List[Example] = []
    for family in doc.get("families") or []:
        name, kind, category = family.get("family"), family.get("kind"), family.get("category")
        if kind not in CRISIS_KINDS and kind not in LOOKALIKE_KINDS | OTHER_KINDS:
            raise ValueError(f"{path.name}: family {name!r} has unknown kind {kind!r}")
        if category != NONE and category not in CATEGORIES:
            raise ValueError(f"{path.name}: family {name!r} has unknown category {category!r}")
        if (kind in CRISIS_KINDS) != (category != NONE):
            raise ValueError(f"{path.name}: family {name!r}: kind {kind} and category {category} disagree")
        for text in family.get("texts") or []:
            out.append(Example(str(text), category, kind, str(name), family.get("style")))
    return out


def read_public(path: Path) -> List[Example]:
    """The public dev set: real messages labelled crisis yes/no and by kind (no category)."""
    out: List[Example] = []
    for doc in yamlfile.read_all(path):
        for i, item in enumerate((doc or {}).get("messages") or []):
            kind = item.get("kind") or ("explicit" if item.get("crisis") else "unrelated")
            category = (CRISIS_KINDS.get(kind) or "suicide") if item.get("crisis") else NONE
            out.append(Example(str(item["text"]), category, kind, f"public-{path.stem}-{i}", "public"))
    return out


def load(directory: Path) -> List[Example]:
    examples: List[Example] = []
    for path in sorted(directory.rglob("*.yml")):
        doc_head = path.read_text(encoding="utf-8")
        examples.extend(read_public(path) if re.search(r"^messages:", doc_head, re.M) else read_file(path))
    return examples


# Intents of the FAQ classifier's data that are not everyday traffic.
CRISIS_INTENTS = frozenset({"crisis", "crisis_check_in"})


def from_nlu_examples(pairs: Iterable[tuple[str, str]]) -> List[Example]:
    """(intent, text) of the Rasa NLU data as non-crisis examples: what the bot hears every day."""
    kinds = {"faq": "faq", "sensitive_question": "topic"}
    return [
        Example(text, NONE, kinds.get(intent.split("/")[0], "smalltalk"), f"nlu-{intent}")
        for intent, text in pairs
        if intent.split("/")[0] not in CRISIS_INTENTS and text.strip()
    ]


def read_nlu_files(directory: Path = ROOT / "data" / "nlu") -> List[tuple[str, str]]:
    """(intent, text) from the Rasa NLU YAML files, annotations stripped (tests and experiments)."""
    out = []
    for path in sorted(directory.rglob("*.yml")):
        for block in yamlfile.read(path).get("nlu") or []:
            for line in (block.get("examples") or "").splitlines():
                if line.strip().startswith("- ") and block.get("intent"):
                    out.append((block["intent"], re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line.strip()[2:])))
    return out


def training_examples() -> List[Example]:
    """What the crisis model learns from outside ``rasa train``: its own families and every Rasa NLU line as everyday traffic."""
    return load(TRAIN_DIR) + from_nlu_examples(read_nlu_files())


def families(examples: Iterable[Example]) -> dict[str, List[Example]]:
    grouped: dict[str, List[Example]] = defaultdict(list)
    for e in examples:
        grouped[e.family].append(e)
    return grouped
