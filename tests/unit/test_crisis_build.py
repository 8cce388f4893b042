"""The crisis detector's build (bot/crisis/detector.py): validated patterns,
and the fast build compiling exactly what a straightforward one does.

The server builds without spaCy's per-pattern validation and with per-lemma
caches (docs/performance.md, "Cold start"). These tests keep both safe: the
patterns are validated here, once, and the fast build is compared with a
reference build that has neither shortcut.
"""

from __future__ import annotations

import pytest
from spacy.errors import MatchPatternError

import bot.crisis.detector as detector
from bot.crisis.detector import CrisisDetector, get_detector
from bot.nlp.pipeline import load


@pytest.fixture(scope="module")
def reference() -> CrisisDetector:
    """Straightforward build (no caches) with spaCy validating every pattern (~10 s)."""
    return CrisisDetector(load(), validate=True, cache=False)


def test_every_pattern_passes_spacy_validation(reference):
    # Building the fixture raised MatchPatternError if any pattern was malformed;
    # make sure validation really was on for every matcher it built.
    matchers = list(reference._matchers.values()) + list(reference._guard_matchers.values())
    assert reference.n_patterns > 1000
    assert matchers and all(m.validate for m in matchers)


def test_server_build_skips_validation():
    matchers = list(get_detector()._matchers.values()) + list(get_detector()._guard_matchers.values())
    assert matchers and not any(m.validate for m in matchers)


def test_validated_build_rejects_a_malformed_pattern(monkeypatch):
    # {"LIKE_NUM": "yes"} is accepted silently by an unvalidated Matcher and
    # never matches; validation must turn it into an error.
    monkeypatch.setattr(detector, "_expand", lambda template: [[{"LEMMA": "die"}, {"LIKE_NUM": "yes"}]])
    with pytest.raises(MatchPatternError):
        CrisisDetector(load(), validate=True)


def _differences(fast: object, ref: object) -> list[str]:
    """A few readable differences (a full pytest diff of ~9,600 patterns is unreadable)."""
    if isinstance(fast, dict) and isinstance(ref, dict):
        out = [f"{k!r}: only in the fast build" for k in fast.keys() - ref.keys()]
        out += [f"{k!r}: only in the reference build" for k in ref.keys() - fast.keys()]
        out += [f"{k!r}: {fast[k]!r} != {ref[k]!r}" for k in fast.keys() & ref.keys() if fast[k] != ref[k]]
    elif isinstance(fast, set) and isinstance(ref, set):
        out = [f"{w!r}: only in the fast build" for w in fast - ref] + [f"{w!r}: only in the reference build" for w in ref - fast]
    else:
        out = [f"{fast!r} != {ref!r}"]
    return sorted(out)[:10]


def test_fast_build_compiles_exactly_the_reference_patterns(reference):
    fast = get_detector().compiled()
    ref = reference.compiled()
    assert fast.keys() == ref.keys()
    for part in ref:
        assert fast[part] == ref[part], f"fast build differs in {part}: {_differences(fast[part], ref[part])}"
    assert fast["n_patterns"] == sum(len(pats) for pats in ref["matchers"].values())


def test_surface_cache_is_not_shared_mutably():
    # Cached surface forms are handed to every caller; they must be immutable.
    det = get_detector()
    assert isinstance(det._surfaces("die"), frozenset)
    assert det._surfaces("die") is det._surfaces("die")
    assert {"die", "died", "dying", "dies"} <= det._surfaces("die")
