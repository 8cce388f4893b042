"""The intent model's data: Rasa NLU files whose blocks are families, and the evaluation sets.

A family is one situation in many wordings: an NLU block with
``metadata: {family: <id>}``. Families are split whole: the training families
live in ``data/nlu/``, the dev families (thresholds are chosen on them) in
``tests/faq/dev/``, the test families, scored once, in ``tests/faq/test/``, and a second test
split written afresh in a separate pass after the first had informed
decisions, in ``tests/faq/test_fresh/``.
``tests/faq/dev/public.yml`` holds real questions written by members of the
public (sources and licences in ``tests/faq/dev/SOURCES.md``); it is never
trained on. Lines written before families existed have no family: each is
its own group in cross-validation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from bot.core import yamlfile
from bot.understanding.intent_model import NOT_LEARNED

ROOT = Path(__file__).resolve().parents[2]
TRAIN_DIR = ROOT / "data" / "nlu"
DEV_DIR = ROOT / "tests" / "faq" / "dev"
TEST_DIR = ROOT / "tests" / "faq" / "test"
FRESH_TEST_DIR = ROOT / "tests" / "faq" / "test_fresh"
PUBLIC_FILE = DEV_DIR / "public.yml"
_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)")


@dataclass(frozen=True)
class Example:
    text: str
    label: str  # faq/<topic> or an intent
    family: Optional[str] = None
    source: str = ""

    @property
    def group(self) -> str:
        """Cross-validation group: the family, or the line itself."""
        return self.family or f"line:{self.text}"


def read_nlu(path: Path) -> List[Example]:
    """Examples of a Rasa NLU YAML file (annotations stripped), with their family if the block names one."""
    doc = yamlfile.read(path) or {}
    out = []
    for block in doc.get("nlu") or []:
        intent = block.get("intent")
        if not intent or intent.split("/")[0] in NOT_LEARNED:
            continue
        family = (block.get("metadata") or {}).get("family")
        for line in (block.get("examples") or "").splitlines():
            if line.strip().startswith("- "):
                out.append(Example(_ANNOTATION.sub(r"\1", line.strip()[2:]).strip(), intent, family, path.name))
    return out


def read_public(path: Path = PUBLIC_FILE) -> List[Example]:
    doc = yamlfile.read(path) or {}
    return [Example(str(i["text"]).strip(), i["label"], None, i.get("source", "")) for i in doc.get("items") or []]


def load(directory: Path) -> List[Example]:
    out: List[Example] = []
    for path in sorted(directory.rglob("*.yml")):
        if path == PUBLIC_FILE:
            continue
        out.extend(read_nlu(path))
    return out


def train_examples() -> List[Example]:
    return load(TRAIN_DIR)


def dev_examples() -> List[Example]:
    return load(DEV_DIR)


def final_examples() -> List[Example]:
    """The test split (not named test_* so pytest never collects it)."""
    return load(TEST_DIR)


def fresh_examples() -> List[Example]:
    """The fresh test split: written without reading the training data or the other splits."""
    return load(FRESH_TEST_DIR)
