"""``make eval-faq ARGS=--quick`` scores the dev sets only: the test split is read once, by the lead, on the archive."""

from __future__ import annotations

from pathlib import Path
from typing import List, Sequence

import numpy as np
import pytest

from bot.evaluation import faq as evaluate_faq
from bot.evaluation import quick_faq
from bot.understanding import faq_data
from bot.understanding.intent_model import IntentThresholds


class FakeQuickModel:
    """A fitted model's stand-in: every message is out of scope, no encoder, no fitting."""

    classes = ["faq/cbt", "greet", "out_of_scope"]
    note = "fake"

    thresholds = IntentThresholds()

    def predict(self, examples: Sequence[faq_data.Example]) -> tuple[np.ndarray, List[str]]:
        return np.tile([0.1, 0.1, 0.8], (len(examples), 1)), ["none"] * len(examples)


def test_the_quick_path_never_reads_the_test_split(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    read: List[Path] = []
    real_read_nlu = faq_data.read_nlu

    def watched(path: Path) -> List[faq_data.Example]:
        read.append(path)
        assert faq_data.TEST_DIR not in path.parents, f"--quick read the test split: {path}"
        return real_read_nlu(path)

    def forbidden() -> List[faq_data.Example]:
        raise AssertionError("--quick asked for the test split")

    monkeypatch.setattr(faq_data, "read_nlu", watched)
    monkeypatch.setattr(faq_data, "final_examples", forbidden)
    monkeypatch.setattr(quick_faq, "fit", lambda **_: FakeQuickModel())
    assert evaluate_faq.main(["--quick", "--choose", "--json", str(tmp_path / "figures.json")]) == 0
    assert read and all(faq_data.DEV_DIR in p.parents for p in read)
    assert "test" not in (tmp_path / "figures.json").read_text()
