"""Seconds of a cold start, piece by piece, in one process (no server, no py-spy).

The load test measures the cold start end to end; a py-spy profile of it
(``make bench ARGS=--profile-startup``) shows which phase dominates but is
slowed by its own sampling. This times the same phases directly, in the
order a Rasa server meets them, and prices the two changes made to the
crisis detector's build (bot/crisis/detector.py), which runs when CrisisGate
loads: spaCy's Matcher no longer validates every pattern (``validate=True``
is spaCy 3's default; tests/unit/test_crisis_build.py validates them once
instead), and surface forms are cached per lemma instead of recomputed for
each of the thousands of expanded patterns.

    python -m bench.startup
"""

from __future__ import annotations

import argparse
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
    """A fresh CrisisDetector. ``validate=True`` has spaCy check every pattern;
    ``cache=False`` recomputes surface forms for every spec, scanning LEMMA_FIX
    each time, as the build did before the per-lemma cache."""
    from bot.crisis.detector import CrisisDetector

    return CrisisDetector(nlp, validate=validate, cache=cache)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-model", action="store_true", help="leave out unpacking and loading the trained model")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    out: list[tuple[str, float]] = []
    timed("import rasa.core.agent (TensorFlow, Rasa)", lambda: __import__("rasa.core.agent"), out)
    from bot.nlp.pipeline import load

    nlp = timed("spaCy pipeline load (bot.nlp.pipeline.load)", load, out)
    stock = timed("crisis detector build, as it was (validated, no cache)",
                  lambda: build_detector(nlp, validate=True, cache=False), out)
    timed("crisis detector build, Matcher(validate=False)", lambda: build_detector(nlp, validate=False, cache=False), out)
    fast = timed("crisis detector build, as it is (validate=False + per-lemma surfaces cache)",
                 lambda: build_detector(nlp, validate=False, cache=True), out)
    # The faster build must compile the same detector (tests/unit/test_crisis_build.py checks this too).
    same = stock.compiled() == fast.compiled()
    print(f"same patterns compiled as before the changes: {same} ({stock.n_patterns} patterns)")
    if not args.skip_model and MODEL.exists():
        from rasa.engine.storage.local_model_storage import LocalModelStorage

        with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
            timed("unpack models/therapy.tar.gz", lambda: LocalModelStorage.from_model_archive(Path(tmp), MODEL), out)
    print()
    print("| phase | seconds |")
    print("|---|---:|")
    for label, seconds in out:
        print(f"| {label} | {seconds:.2f} |")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
