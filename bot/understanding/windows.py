"""Long text in windows: the encoder reads 256 tokens, and a long story can bury its signal anywhere."""

from __future__ import annotations

import re

# Beyond this a text is not even scanned (the channels refuse bigger bodies).
MAX_SCAN_CHARS = 100_000
_BREAK_RE = re.compile(r"(?<=[.!?\n])\s+")


def pieces(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut between sentences where possible."""
    out: list[str] = []
    current = ""
    for sentence in _BREAK_RE.split(text[:MAX_SCAN_CHARS]):
        while len(sentence) > limit:
            out.append(sentence[:limit])
            sentence = sentence[limit:]
        if len(current) + len(sentence) + 1 > limit:
            out.append(current)
            current = ""
        current = f"{current} {sentence}" if current else sentence
    if current:
        out.append(current)
    return [p for p in out if p.strip()]


_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\s*\n+\s*")


def sentences(text: str, min_words: int = 3, limit: int = 40) -> list[str]:
    """The sentences of ``text`` with at least ``min_words`` words, at most ``limit`` of them (a long post's first ones).

    Lines count as sentences too: forum posts and text-speak often have no
    full stops, only line breaks.
    """
    found = [s.strip() for s in _SENTENCE_RE.split(text[:MAX_SCAN_CHARS])]
    return [s for s in found if len(s.split()) >= min_words][:limit]


_SPACE_RE = re.compile(r"\s+")


def without_repeats(text: str) -> str:
    """``text`` with each run of the same sentence said over and over kept once.

    A pasted "thanks. thanks. thanks. ..." or one question repeated a thousand
    times says no more than the sentence once, but its mean-pooled embedding
    drifts far from anything the models learned from and was read as a crisis
    (the tuned encoder put "thanks." said 20 times at a suicide risk of 0.9).
    Sentences are compared lower-cased with their spacing set aside; text with
    no repeated run comes back unchanged.
    """
    parts = _BREAK_RE.split(text[:MAX_SCAN_CHARS])
    if len(parts) < 2:
        return text
    kept: list[str] = []
    last = None
    for part in parts:
        key = _SPACE_RE.sub(" ", part).strip().lower()
        if key and key == last:
            continue
        kept.append(part)
        last = key
    return text if len(kept) == len(parts) else " ".join(kept)
