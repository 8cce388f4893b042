"""Benchmark for the sentence encoder + crisis model per message (not a test).

Loads the crisis model and the sentence encoder it was fitted on (tuned at
training time, when config.yml says so) from the trained archive
(models/therapy.tar.gz) and times what the Rasa process does for every message on the crisis path: one
encoding, the model's probabilities, the explicit-statement rules and the zone.
Messages are the crisis test set's texts (short chat lines up to long
stories), after a warm-up. Prints mean and p99 microseconds per message and
exits non-zero if the mean exceeds 10 ms.

    .venv/bin/python bench/crisis_model.py
"""

from __future__ import annotations

import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core import wiring  # noqa: E402
from bot.understanding.crisis_component import CrisisModel  # noqa: E402
from bot.understanding.crisis_data import TEST_DIR, load  # noqa: E402
from bot.understanding.crisis_model import MODEL_FILE, CrisisClassifier  # noqa: E402
from bot.understanding.encoder import ONNX_FILE, SentenceEncoder, get_encoder  # noqa: E402

LIMIT_US = 10_000.0
ARCHIVE = Path(__file__).resolve().parents[1] / "models" / "therapy.tar.gz"


def trained_component() -> tuple[CrisisModel, SentenceEncoder]:
    """The CrisisModel exactly as trained (its pickled classifier from the archive) with config.yml's thresholds,
    and the archive's encoder (the frozen one when the archive stores none)."""
    import yaml

    config = next(c for c in yaml.safe_load((ARCHIVE.parents[1] / "config.yml").read_text())["pipeline"]
                  if c["name"].endswith("CrisisModel"))
    with tarfile.open(ARCHIVE) as archive, tempfile.TemporaryDirectory() as tmp:
        member = next(m for m in archive.getmembers() if m.name.endswith(MODEL_FILE))
        archive.extract(member, tmp)
        classifier = CrisisClassifier.load(Path(tmp) / Path(member.name).parent)
        onnx = next((m for m in archive.getmembers() if m.name.endswith(ONNX_FILE)), None)
        encoder = get_encoder()
        if onnx is not None:
            folder = str(Path(onnx.name).parent)
            archive.extractall(tmp, [m for m in archive.getmembers() if str(Path(m.name).parent) == folder])
            encoder = SentenceEncoder(Path(tmp) / folder)  # reads its files now
            wiring.put("encoder", encoder)  # the model's windows of long messages read it too
    component = CrisisModel({k: v for k, v in config.items() if k != "name"}, None, None, classifier)  # type: ignore[arg-type]
    return component, encoder


def main() -> int:
    if not ARCHIVE.exists():
        print(f"error: {ARCHIVE} is missing: run `make train`", file=sys.stderr)
        return 2
    model, encoder = trained_component()
    texts = [e.text for e in load(TEST_DIR)]
    for text in texts[:50]:  # warm-up: ONNX Runtime and sklearn allocate on first use
        model.assess(text, encoder.encode_one(text))
    times = []
    for text in texts:
        start = time.perf_counter()
        model.assess(text, encoder.encode_one(text))
        times.append((time.perf_counter() - start) * 1e6)
    times.sort()
    mean = statistics.fmean(times)
    p99 = times[int(len(times) * 0.99) - 1]
    longest = max(len(t) for t in texts)
    print(f"{len(times)} messages (up to {longest} characters), encoder threads: 1")
    print(f"mean: {mean:.1f} us/message   p99: {p99:.1f} us/message")
    if mean > LIMIT_US:
        print(f"MISSED: mean {mean / 1000:.2f} ms > {LIMIT_US / 1000:.0f} ms", file=sys.stderr)
        return 1
    print(f"target met: mean <= {LIMIT_US / 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
