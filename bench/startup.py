"""Seconds of a cold start, piece by piece, in one process (no server, no py-spy).

The load test measures the cold start end to end; a py-spy profile of it
(``make bench ARGS=--profile-startup``) shows which phase dominates but is
slowed by its own sampling. This times the same phases directly, in the
order a Rasa server meets them, and prices two proposed changes to the
crisis detector's build (bot/crisis/detector.py), which runs when CrisisGate
loads: spaCy's Matcher validating every pattern (``validate=True`` is
spaCy 3's default; the patterns can be validated once in a unit test
instead), and surface forms recomputed for each of the thousands of
expanded patterns (a per-lemma cache).

    python -m bench.startup
"""

from __future__ import annotations

import argparse
import functools
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Optional

from bot.settings import ROOT

MODEL = ROOT / "models" / "therapy.tar.gz"


def timed(label: str, fn: Callable[[], Any], out: list[tuple[str, float]]) -> Any:
    started = time.perf_counter()
    value = fn()
    out.append((label, time.perf_counter() - started))
    print(f"{label}: {out[-1][1]:.2f} s", flush=True)
    return value


def build_detector(nlp: Any, validate: bool, cache: bool) -> Any:
    """A fresh CrisisDetector; ``validate``/``cache`` select the proposed changes."""
    import bot.crisis.detector as detector

    original_matcher, original_surfaces = detector.Matcher, detector.CrisisDetector._surfaces
    try:
        if not validate:
            detector.Matcher = functools.partial(original_matcher, validate=False)  # type: ignore[misc]
        if cache:
            memo: dict[tuple[int, str], set[str]] = {}

            def surfaces(self: Any, lemma: str) -> set[str]:
                key = (id(self), lemma)
                if key not in memo:
                    memo[key] = original_surfaces(self, lemma)
                return set(memo[key])

            detector.CrisisDetector._surfaces = surfaces  # type: ignore[method-assign]
        return detector.CrisisDetector(nlp)
    finally:
        detector.Matcher, detector.CrisisDetector._surfaces = original_matcher, original_surfaces  # type: ignore[misc]


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-model", action="store_true", help="leave out unpacking and loading the trained model")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    out: list[tuple[str, float]] = []
    timed("import rasa.core.agent (TensorFlow, Rasa)", lambda: __import__("rasa.core.agent"), out)
    from bot.nlp.pipeline import load

    nlp = timed("spaCy pipeline load (bot.nlp.pipeline.load)", load, out)
    stock = timed("crisis detector build, as it is", lambda: build_detector(nlp, validate=True, cache=False), out)
    timed("crisis detector build, Matcher(validate=False)", lambda: build_detector(nlp, validate=False, cache=False), out)
    fast = timed("crisis detector build, validate=False + per-lemma surfaces cache",
                 lambda: build_detector(nlp, validate=False, cache=True), out)
    # The proposed build must compile the same detector.
    same = stock.n_patterns == fast.n_patterns and stock.max_len == fast.max_len
    print(f"same patterns with the proposed changes: {same} ({stock.n_patterns} patterns)")
    if not args.skip_model and MODEL.exists():
        from rasa.engine.storage.local_model_storage import LocalModelStorage

        with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
            timed("unpack models/therapy.tar.gz", lambda: LocalModelStorage.from_model_archive(Path(tmp), MODEL), out)
    print()
    print("| phase | seconds |")
    print("|---|---:|")
    for label, seconds in out:
        print(f"| {label} | {seconds:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
