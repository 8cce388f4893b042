"""The crisis evaluation's zones and its choice of thresholds on dev (``bot.evaluation.crisis``)."""

from __future__ import annotations

from bot.evaluation.crisis import TARGETS, Scored, choose, metrics, rezone, shortfall, zone_under
from bot.understanding.crisis_data import Example
from bot.understanding.crisis_model import Thresholds


def row(name: str, category: str, kind: str, risk: float, top: str, top_p: float) -> Scored:
    return Scored(Example(name, category, kind, name), risk, False, "none", None, top, top_p)

def test_the_evaluation_rezones_with_the_worst_sentence() -> None:
    row = Scored(Example("x", "suicide", "passive", "f"), 0.1, False, "none", None, "suicide", 0.08, (0.7, "suicide", 0.6))
    assert zone_under(row, Thresholds(0.8, 0.4, 0.5, 0.6)) == "check_in"
    assert zone_under(row, Thresholds(0.8, 0.4, 0.5, 0.75)) == "none"
    assert zone_under(Scored(row.example, 0.1, True, "handoff", "suicide"), Thresholds(0.8, 0.4)) == "handoff"



def test_chosen_thresholds_keep_the_hand_off_limits_for_the_pair_they_return() -> None:
    """A lower check-in threshold also hands off where an attempt or a danger holds most of the risk."""
    crisis = [Scored(Example(f"c{i}", "suicide", "explicit", f"c{i}"), 0.97, False, "none", None, "suicide", 0.9)
              for i in range(20)]
    quiet = [Scored(Example(f"l{i}", "none", "hyperbole", f"l{i}"), 0.02, False, "none", None, "suicide", 0.01)
             for i in range(9)]
    # A lookalike whose likeliest crisis category is an attempt, at a middling risk.
    loud = Scored(Example("loud", "none", "hyperbole", "loud"), 0.6, False, "none", None, "attempt", 0.5)
    rows = crisis + quiet + [loud]
    chosen = choose(rows)
    m = metrics(rezone(rows, chosen))
    assert m["lookalikes_handed_off"] <= TARGETS["lookalikes_handed_off"] * 0.67, chosen
    assert m["handoff_kinds_handed_off"] == 1.0


def test_chosen_thresholds_are_the_pair_with_most_recall_not_the_first_met() -> None:
    """A higher hand-off threshold moves a lookalike to a check-in and frees room for a lower check-in threshold."""
    rows = [row(f"c{i}", "suicide", "explicit", 0.97, "suicide", 0.9) for i in range(20)]
    rows += [row("quiet-crisis", "suicide", "passive", 0.45, "suicide", 0.4)]
    rows += [row(f"l{i}", "none", "hyperbole", 0.02, "suicide", 0.01) for i in range(48)]
    rows += [row("high", "none", "hyperbole", 0.8, "suicide", 0.7), row("urgent", "none", "figurative", 0.5, "attempt", 0.4)]
    chosen = choose(rows)
    assert metrics(rezone(rows, chosen))["crisis_recall"] == 1.0, chosen


def test_no_pair_that_loses_crisis_recall_counts_as_meeting_the_limits() -> None:
    """Thresholds high enough to silence every lookalike would also silence a tenth of the crisis messages."""
    rows = [row(f"c{i}", "suicide", "explicit", 0.97, "suicide", 0.9) for i in range(90)]
    rows += [row(f"q{i}", "suicide", "passive", 0.5, "suicide", 0.45) for i in range(10)]
    rows += [row(f"l{i}", "none", "sadness", 0.02, "suicide", 0.01) for i in range(90)]
    rows += [row(f"h{i}", "none", "hyperbole", 0.5, "suicide", 0.45) for i in range(10)]
    chosen = choose(rows)
    assert metrics(rezone(rows, chosen))["crisis_recall"] >= TARGETS["crisis_recall"], chosen


def test_when_no_thresholds_meet_the_limits_the_nearest_to_every_target_wins() -> None:
    """A dev set harder than the model: lookalikes sit among the crisis messages, whatever the thresholds."""
    rows = [row(f"c{i}", "suicide", "explicit", 0.97, "suicide", 0.9) for i in range(80)]
    rows += [row(f"p{i}", "suicide", "passive", 0.6, "suicide", 0.5) for i in range(20)]
    rows += [row(f"l{i}", "none", "hyperbole", 0.02, "suicide", 0.01) for i in range(85)]
    rows += [row(f"h{i}", "none", "hyperbole", 0.97, "suicide", 0.9) for i in range(5)]  # 5% handed off at any setting
    rows += [row(f"k{i}", "none", "figurative", 0.6, "suicide", 0.5) for i in range(10)]
    chosen = choose(rows)
    m = metrics(rezone(rows, chosen))
    # Not the lookalikes' corner (every crisis message silenced): the passive ones are still checked in on.
    assert m["crisis_recall"] == 1.0 and m["handoff_kinds_handed_off"] == 1.0, chosen
    others = [Thresholds(h / 100, c / 100, 0.5, s) for h in range(45, 96, 5) for c in range(5, 96, 10) if c <= h
              for s in (0.5, 1.01)]
    assert all(shortfall(m) <= shortfall(metrics(rezone(rows, t))) for t in others)


def test_shortfall_weighs_a_missed_crisis_above_a_question() -> None:
    met = {"crisis_recall": 1.0, "handoff_kinds_handed_off": 1.0, "lookalikes_handed_off": 0.0,
           "lookalikes_checked_in": 0.0, "unrelated_handed_off": 0.0}
    assert shortfall(met) == 0.0
    assert shortfall({**met, "crisis_recall": 0.99}) > shortfall({**met, "lookalikes_checked_in": 0.19})
    assert shortfall({**met, "handoff_kinds_handed_off": 0.98}) > shortfall({**met, "lookalikes_handed_off": 0.04})
