"""The crisis screen on messages it never trained on: what it lets through the door of a full server.

When a server sheds load, every message meets the explicit-statement rules
and the n-gram screen (``CrisisModel.screens_in``); what either finds
concerning is admitted and read by the full model. So the figures that
matter are recall (a crisis message the screen misses waits for the full
model's small budget, or hears only the busy reply's number) and the share
of everyday messages it admits (each one admitted in an overload is work
the server cannot shed). ``make eval-crisis`` prints both for dev and test;
``--choose`` picks the threshold on the dev families: the highest that keeps
recall at ``SCREEN_RECALL``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

from bot.understanding.crisis_data import HANDOFF_KINDS, Example

# A crisis message the screen misses may still be read by the full model (within its budget) and always hears
# the busy reply's number; the screen is a door, not the verdict, so recall is worth many admitted lookalikes.
SCREEN_RECALL = 0.995
GRID = tuple(round(0.02 + 0.01 * i, 2) for i in range(49))


@dataclass(frozen=True)
class ScreenRow:
    example: Example
    risk: float
    rule: bool  # an explicit-statement rule matched: admitted whatever the screen says


def score(component: Any, examples: Sequence[Example]) -> tuple[List[ScreenRow], float]:
    """The screen's risk and the rules' verdict per example, and the mean milliseconds per message of both."""
    from bot.understanding.crisis_rules import get_rules

    rules, rows = get_rules(), []
    started = time.perf_counter()
    for example in examples:
        risk = component.screen_risk(example.text)
        rows.append(ScreenRow(example, float(risk if risk is not None else 0.0), rules.match(example.text) is not None))
    return rows, (time.perf_counter() - started) * 1000 / max(1, len(examples))


def admitted(row: ScreenRow, threshold: float) -> bool:
    return row.rule or row.risk >= threshold


def metrics(rows: Sequence[ScreenRow], threshold: float) -> Dict[str, float]:
    def share(group: Sequence[ScreenRow]) -> float:
        return sum(admitted(r, threshold) for r in group) / len(group) if group else 0.0

    crisis = [r for r in rows if r.example.is_crisis]
    return {
        "threshold": threshold,
        "crisis_admitted": share(crisis),
        "handoff_kinds_admitted": share([r for r in crisis if r.example.kind in HANDOFF_KINDS]),
        "others_admitted": share([r for r in rows if not r.example.is_crisis]),
        "everyday_admitted": share([r for r in rows if r.example.kind in ("faq", "smalltalk", "unrelated")]),
    }


def choose(rows: Sequence[ScreenRow]) -> float:
    """The highest threshold whose recall on the dev families stays at ``SCREEN_RECALL`` (fewest lookalikes let in)."""
    families = [r for r in rows if r.example.style != "public"]
    fitting = [t for t in GRID if metrics(families, t)["crisis_admitted"] >= SCREEN_RECALL]
    return max(fitting) if fitting else GRID[0]


def report(name: str, rows: Sequence[ScreenRow], threshold: float, ms: Optional[float] = None) -> str:
    m = metrics(rows, threshold)
    cost = f"; {ms:.2f} ms per message (rules + screen)" if ms is not None else ""
    return (f"== crisis screen, {name} (threshold {threshold}): crisis admitted {m['crisis_admitted']:.1%}, "
            f"explicit/attempt/danger {m['handoff_kinds_admitted']:.1%}; other messages admitted "
            f"{m['others_admitted']:.1%} (everyday: FAQ, small talk, unrelated {m['everyday_admitted']:.1%}){cost}")
