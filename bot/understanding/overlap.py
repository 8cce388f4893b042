"""Near-duplicate lines between evaluation and training sets.

An evaluation line that equals or nearly equals a training line measures
memory, not understanding: tests fail on any pair at or above
``OVERLAP_LIMIT`` (shared words over the longer line's words; case and
punctuation, apostrophes included, aside).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
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


def shared_needed(size: int, limit: float) -> int:
    """The fewest shared words that let a line of ``size`` words reach ``limit`` (at least one)."""
    return max(1, math.ceil(limit * size - 1e-9))


def near_duplicates(
    evaluation: Sequence[E], training: Sequence[T], limit: float = OVERLAP_LIMIT
) -> Iterator[tuple[E, T, float]]:
    """(evaluation line, training line, overlap) for every pair at or above ``limit``.

    Prefix filtering: with words ordered rarest first, two lines sharing at
    least ``k`` words share one among each line's first ``len - k + 1``; a
    pair at ``limit`` shares at least ``shared_needed`` of either line's words,
    so only lines meeting on those few rare words are compared. Common words
    ("i", "to", "the") no longer pair every line with thousands of others.
    """
    train_words = [words(e.text) for e in training]
    eval_words = [words(e.text) for e in evaluation]
    frequency: Counter[str] = Counter(w for ws in (*train_words, *eval_words) for w in ws)

    def prefix(ws: frozenset[str]) -> list[str]:
        ordered = sorted(ws, key=lambda w: (frequency[w], w))
        return ordered[: len(ordered) - shared_needed(len(ordered), limit) + 1]

    index: dict[str, list[int]] = defaultdict(list)
    for i, ws in enumerate(train_words):
        for w in prefix(ws):
            index[w].append(i)
    for example, ws in zip(evaluation, eval_words, strict=True):
        if not ws:
            continue
        candidates = sorted({i for w in prefix(ws) for i in index.get(w, ())})
        for i in candidates:
            score = overlap(ws, train_words[i])
            if score >= limit:
                yield example, training[i], score
