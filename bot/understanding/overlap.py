"""Near-duplicate lines between evaluation and training sets.

An evaluation line that equals or nearly equals a training line measures
memory, not understanding: tests fail on any pair at or above
``OVERLAP_LIMIT`` (shared words over the longer line's words; case and
punctuation, apostrophes included, aside).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterator, Protocol, Sequence, TypeVar

OVERLAP_LIMIT = 0.8
_WORD = re.compile(r"[\wáéíóúñü]+")
# Apostrophes are punctuation here: "i'm" and "im", "don’t" and "dont" are the same word.
_APOSTROPHE = re.compile(r"['’‘`´]")


class HasText(Protocol):
    @property
    def text(self) -> str: ...


E = TypeVar("E", bound=HasText)
T = TypeVar("T", bound=HasText)


def words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(_APOSTROPHE.sub("", text.lower())))


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared words over the longer line's words: 1.0 for equal lines (case and punctuation aside)."""
    if not a or not b:
        return 1.0 if a == b else 0.0
    return len(a & b) / max(len(a), len(b))


def near_duplicates(
    evaluation: Sequence[E], training: Sequence[T], limit: float = OVERLAP_LIMIT
) -> Iterator[tuple[E, T, float]]:
    """(evaluation line, training line, overlap) for every pair at or above ``limit``."""
    index: dict[str, list[int]] = defaultdict(list)
    train_words = [words(e.text) for e in training]
    for i, ws in enumerate(train_words):
        for w in ws:
            index[w].append(i)
    for example in evaluation:
        ws = words(example.text)
        counts: dict[int, int] = defaultdict(int)
        for w in ws:
            for i in index.get(w, ()):
                counts[i] += 1
        for i, shared in counts.items():
            score = shared / max(len(ws), len(train_words[i]))
            if score >= limit:
                yield example, training[i], score
