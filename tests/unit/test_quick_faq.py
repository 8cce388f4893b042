"""``make eval-faq ARGS=--quick`` scores the dev sets only: the test split is read once, by the lead, on the archive."""

from __future__ import annotations

from pathlib import Path
from typing import List, Sequence

import numpy as np
import pytest

from bot.evaluation import faq as evaluate_faq
from bot.evaluation import quick_crisis, quick_faq
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
    # The encoder training would store is tuned on the training lines only (test_encoder_tuning.py); here it is
    # not tuned at all, so this test never waits minutes for a tuning that `make test` runs beside it.
    monkeypatch.setattr(quick_crisis, "use_project_encoder", lambda: "frozen (test)")
    assert evaluate_faq.main(["--quick", "--choose", "--json", str(tmp_path / "figures.json")]) == 0
    assert read and all(faq_data.DEV_DIR in p.parents for p in read)
    assert "test" not in (tmp_path / "figures.json").read_text()



CLASSES = ["faq/cbt", "faq/dbt", "greet", "out_of_scope"]
SURE = [0.9, 0.04, 0.03, 0.03]  # an FAQ answer no threshold refuses
LEANING = [0.40, 0.02, 0.29, 0.29]  # P(faq) 0.42: refused by a fallback threshold above it
CONFIDENT = [0.70, 0.02, 0.14, 0.14]  # P(faq) 0.72: answered under every threshold of the grid


def rows(spec: list[tuple[str, list[float]]]) -> list[evaluate_faq.Scored]:
    return [evaluate_faq.Scored(faq_data.Example(f"m{i}", label), np.array(p), "none") for i, (label, p) in enumerate(spec)]


def test_choose_keeps_out_of_scope_under_its_target_when_that_costs_nothing() -> None:
    scored = rows([("faq/cbt", SURE)] * 19 + [("out_of_scope", LEANING)])
    chosen = evaluate_faq.choose(scored, CLASSES)
    assert evaluate_faq.metrics(evaluate_faq.decided(scored, CLASSES, chosen))["out_of_scope_answered"] == 0.0
    assert chosen.fallback > 0.42


def test_out_of_scope_over_its_target_costs_more_than_one_right_answer() -> None:
    # Two out-of-scope messages are answered whatever the thresholds (40% > the 5% target). Refusing the three
    # leaning ones costs one FAQ question that leans the same way: worth it, where "most right" would not pay.
    scored = rows([("faq/cbt", SURE)] * 10 + [("faq/cbt", LEANING)]
                  + [("out_of_scope", LEANING)] * 3 + [("out_of_scope", CONFIDENT)] * 2)
    chosen = evaluate_faq.choose(scored, CLASSES)
    m = evaluate_faq.metrics(evaluate_faq.decided(scored, CLASSES, chosen))
    assert m["out_of_scope_answered"] == pytest.approx(0.4) and chosen.fallback > 0.42


def test_a_tie_goes_to_the_most_cautious_topic_threshold() -> None:
    # Every setting scores the same on these rows: the choice must not drift to the loosest topic threshold,
    # which dev cannot tell apart but unseen out-of-scope questions can (10.4% answered at 0.1 on test, 2026-12-06).
    chosen = evaluate_faq.choose(rows([("faq/cbt", SURE)] * 10), CLASSES)
    assert chosen.topic == 0.35


def test_a_looser_topic_threshold_wins_when_it_buys_more_than_noise() -> None:
    classes = ["faq/cbt", "faq/dbt", "faq/act", "faq/ipt", "faq/pdt", "faq/sup", "greet"]
    spread = [0.27, 0.126, 0.126, 0.126, 0.126, 0.126, 0.1]  # cbt is 30% of the FAQ mass: answered at topic <= 0.3 only
    scored = [evaluate_faq.Scored(faq_data.Example(f"s{i}", "faq/cbt"), np.array(spread), "none") for i in range(5)]
    scored += [evaluate_faq.Scored(faq_data.Example(f"t{i}", "faq/cbt"), np.array([0.9, *[0.0] * 5, 0.1]), "none")
               for i in range(5)]
    chosen = evaluate_faq.choose(scored, classes)
    assert chosen.topic <= 0.3
    assert evaluate_faq.metrics(evaluate_faq.decided(scored, classes, chosen))["right"] == 1.0
