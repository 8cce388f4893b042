"""``make eval-crisis``: the crisis model on messages it never trained on.

Scores the trained model (the real archive, through ``rasa.core.agent``) on
the dev families and the public dev set (``tests/crisis/dev/``) and on the
test set (``tests/crisis/test/``, written in a separate pass), then on the
fresh test set (``tests/crisis/test_fresh/``, written on 2026-12-07 after the
first had informed a decision). Prints recall by kind and category, false
alarms by kind, and the targets.

``--choose`` scores the dev set only and prints the thresholds that meet the
targets there with the most recall; copy them into config.yml, retrain, and
only then score the test sets. A test set never informs a threshold (the
first one did once; docs/crisis-protocol.md says how, and why there is a second).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence

from bot.core import wiring
from bot.evaluation import screen
from bot.understanding.crisis_data import (
    CHECK_IN_TOLERATED,
    DEV_DIR,
    FRESH_TEST_DIR,
    HANDOFF_KINDS,
    LOOKALIKE_KINDS,
    ROOT,
    TEST_DIR,
    Example,
    load,
    read_file,
    training_examples,
)
from bot.understanding.crisis_model import CHECK_IN, HANDOFF, NEVER, NO_CRISIS, ZONE_RANK, Thresholds

MODEL = ROOT / "models" / "therapy.tar.gz"
# (key in --json, heading, folder): scored in this order after the thresholds are frozen.
TEST_SETS = (
    ("test", "test (separate pass, separate families; never trained on)", TEST_DIR),
    ("fresh_test", "fresh test (written afresh on 2026-12-07, after the first test set informed a decision)", FRESH_TEST_DIR),
)
# Dev families of the quiet shapes (a plan, preparation, burden said calmly; ordinary arrangements that look like
# them), written in a third pass after the fresh test set showed them unanswered: also reported alone.
QUIET_FILE = DEV_DIR / "quiet_more.yml"
# The targets (issue: crisis understanding on unseen messages); make test enforces them on the test set.
TARGETS = {
    "crisis_recall": 0.98,  # hand-off or check-in, every crisis kind
    "handoff_kinds_handed_off": 0.99,  # explicit statements, attempts, immediate danger
    "lookalikes_handed_off": 0.03,
    "lookalikes_checked_in": 0.10,
    "unrelated_handed_off": 0.0,
}


@dataclass
class Scored:
    example: Example
    risk: float
    rule: bool
    zone: str
    category: Optional[str]
    top: Optional[str] = None  # the likeliest crisis category, whatever the zone
    top_p: float = 0.0
    sentence: Optional[tuple[float, str, float]] = None  # the most concerning sentence of a longer message


def score(agent: Any, examples: Sequence[Example]) -> List[Scored]:
    """Parse each message alone with the trained model (no conversation memory)."""

    async def run() -> List[Scored]:
        out = []
        for example in examples:
            parse = await agent.parse_message(example.text)
            verdict = parse.get("crisis") or {}
            crisis_p = {k: v for k, v in (verdict.get("probabilities") or {}).items() if k != "none"}
            top = max(crisis_p, key=crisis_p.__getitem__) if crisis_p else None
            sentence = verdict.get("sentence")
            # A sentence-layer verdict carries the sentence's risk; the zone under other thresholds starts from the whole message's.
            risk = verdict["message_risk"] if verdict.get("message_risk") is not None else verdict.get("risk") or 0.0
            out.append(Scored(example, float(risk), verdict.get("layer") == "rule",
                              verdict.get("zone") or NO_CRISIS, verdict.get("category"), top, crisis_p.get(top or "", 0.0),
                              tuple(sentence) if sentence else None))  # type: ignore[arg-type]
        return out

    return asyncio.run(run())


def zone_under(r: Scored, thresholds: Thresholds) -> str:
    """The zone of one scored message under ``thresholds``: the whole message's, or its worst sentence's if higher."""
    if r.rule:
        return HANDOFF
    zone = thresholds.zone(r.risk, r.top, r.top_p)
    if r.sentence is not None and zone != HANDOFF:
        zone = max(zone, thresholds.sentence_zone(*r.sentence), key=ZONE_RANK.__getitem__)
    return zone


def rezone(rows: Iterable[Scored], thresholds: Thresholds) -> List[Scored]:
    """The same scores under other thresholds (an explicit rule always hands off)."""
    return [Scored(r.example, r.risk, r.rule, zone_under(r, thresholds), r.category, r.top, r.top_p, r.sentence)
            for r in rows]


def rate(rows: Sequence[Scored], zones: set[str]) -> float:
    return sum(r.zone in zones for r in rows) / len(rows) if rows else 0.0


def metrics(rows: Sequence[Scored]) -> Dict[str, float]:
    crisis = [r for r in rows if r.example.is_crisis]
    lookalikes = [r for r in rows if r.example.kind in LOOKALIKE_KINDS]
    strict = [r for r in lookalikes if r.example.kind not in CHECK_IN_TOLERATED]
    unrelated = [r for r in rows if r.example.kind == "unrelated"]
    return {
        "crisis_recall": rate(crisis, {HANDOFF, CHECK_IN}),
        "crisis_handed_off": rate(crisis, {HANDOFF}),
        "handoff_kinds_handed_off": rate([r for r in crisis if r.example.kind in HANDOFF_KINDS], {HANDOFF}),
        "lookalikes_handed_off": rate(lookalikes, {HANDOFF}),
        "lookalikes_checked_in": rate(strict, {CHECK_IN}),
        "unrelated_handed_off": rate(unrelated, {HANDOFF}),
        "category_right": sum(r.category == r.example.category for r in crisis if r.zone == HANDOFF)
        / max(1, sum(r.zone == HANDOFF for r in crisis)),
        "crisis": len(crisis), "non_crisis": len(rows) - len(crisis),
    }


HIGHER_IS_BETTER = frozenset({"crisis_recall", "handoff_kinds_handed_off"})


def misses(m: Dict[str, float], limits: Dict[str, float] = TARGETS) -> List[str]:
    """Each figure of ``m`` on the wrong side of its limit (the targets, or a test's floors)."""
    out = []
    for key, limit in limits.items():
        value, higher = m[key], key in HIGHER_IS_BETTER
        if (value < limit) if higher else (value > limit):
            out.append(f"{key} {value:.3f} (limit {'>=' if higher else '<='} {limit})")
    return out


SENTENCE_GRID = [round(0.3 + 0.05 * i, 2) for i in range(14)] + [NEVER]


def choose(rows: Sequence[Scored]) -> Thresholds:
    """Of the threshold pairs that meet the targets on the held-out families (with a margin), the one with most recall.

    Every pair is tried: the check-in zone hands off too where an attempt or a
    danger holds most of the risk, so lowering the check-in threshold adds
    hand-offs as well as check-ins, and the best pair is not the first one
    met when the thresholds are scanned in order. Ties go to more hand-offs
    of explicit statements, attempts and danger, then of all crisis messages.

    The public dev set is scored and printed beside, not used here: its 215
    forum posts and comments are labelled by one annotator, and a handful of
    them would dictate the thresholds for every kind of message.
    """
    rows = [r for r in rows if r.example.style != "public"]
    grid = [round(0.05 + 0.01 * i, 2) for i in range(91)]
    best: Optional[tuple[tuple[float, float, float], Thresholds]] = None
    for handoff in grid:
        for check_in in (c for c in grid if c <= handoff):
            m = metrics(rezone(rows, Thresholds(handoff, check_in)))
            # Held-out families are situations the model never saw (a haircut "cut" is
            # not a wound): a strict zero on unrelated requests is a test target, not a
            # constraint the dev families can always meet. No margin on check-ins: a
            # check-in costs a question, a missed crisis costs far more.
            if (m["crisis_recall"] >= TARGETS["crisis_recall"]
                    and m["lookalikes_handed_off"] <= TARGETS["lookalikes_handed_off"] * 0.67
                    and m["unrelated_handed_off"] <= 0.01
                    and m["lookalikes_checked_in"] <= TARGETS["lookalikes_checked_in"]):
                key = (m["crisis_recall"], m["handoff_kinds_handed_off"], m["crisis_handed_off"])
                if best is None or key > best[0]:
                    best = (key, Thresholds(handoff, check_in))
    if best is None:
        # No pair meets the limits on dev (a dev set harder than the model): the thresholds, sentence
        # reading included, nearest to every target at once.
        handoffs, check_ins = [h for h in grid if h >= 0.45], grid[::5]  # check-ins every 0.05: the sentence grid is the third axis
        trials = [Thresholds(h, c, 0.5, s) for h in handoffs for c in check_ins if c <= h for s in SENTENCE_GRID]
        return min(trials, key=lambda t: (shortfall(metrics(rezone(rows, t))), -t.handoff, -t.check_in))
    return with_sentences(rows, best[1])


def shortfall(m: Dict[str, float]) -> float:
    """How far ``m`` is from every target, each in units of its own target's scale.

    A point of crisis recall or of explicit/attempt/danger hand-offs lost
    weighs as much as three points of lookalikes handed off or ten points
    of lookalikes checked in: a missed crisis costs far more than a question.
    """
    return ((1.0 - m["crisis_recall"]) / 0.01
            + max(0.0, TARGETS["handoff_kinds_handed_off"] - m["handoff_kinds_handed_off"]) / 0.01
            + max(0.0, m["lookalikes_handed_off"] - TARGETS["lookalikes_handed_off"] * 0.67) / 0.03
            + max(0.0, m["lookalikes_checked_in"] - TARGETS["lookalikes_checked_in"]) / 0.10
            + max(0.0, m["unrelated_handed_off"] - 0.01) / 0.01)


def with_sentences(rows: Sequence[Scored], chosen: Thresholds) -> Thresholds:
    """``chosen`` with the lowest sentence threshold that keeps the dev families' lookalikes within the same limits.

    Hand-offs of lookalikes may not grow beyond what ``chosen`` already
    allows (a sentence hands off only an attempt or a danger); check-ins stay
    within their target.
    """
    before = metrics(rezone(rows, chosen))
    handed_off = max(before["lookalikes_handed_off"], TARGETS["lookalikes_handed_off"] * 0.67)
    checked_in = max(before["lookalikes_checked_in"], TARGETS["lookalikes_checked_in"])
    for sentence in SENTENCE_GRID[:-1]:
        trial = Thresholds(chosen.handoff, chosen.check_in, chosen.urgent_share, sentence)
        m = metrics(rezone(rows, trial))
        if m["lookalikes_handed_off"] <= handed_off and m["lookalikes_checked_in"] <= checked_in:
            return trial
    return chosen


def table(rows: Sequence[Scored], key: str) -> List[str]:
    groups: Dict[str, List[Scored]] = defaultdict(list)
    for r in rows:
        groups[getattr(r.example, key)].append(r)
    lines = []
    for name in sorted(groups):
        g = groups[name]
        lines.append(f"  {name:18} n={len(g):4}  hand-off {rate(g, {HANDOFF}):6.1%}  check-in {rate(g, {CHECK_IN}):6.1%}"
                     f"  none {rate(g, {NO_CRISIS}):6.1%}")
    return lines


def report(name: str, rows: Sequence[Scored]) -> str:
    m = metrics(rows)
    crisis = [r for r in rows if r.example.is_crisis]
    others = [r for r in rows if not r.example.is_crisis]
    lines = [
        f"== {name}: {m['crisis']} crisis messages, {m['non_crisis']} others",
        f"crisis recall (hand-off or check-in) {m['crisis_recall']:.1%}; handed off {m['crisis_handed_off']:.1%}",
        f"explicit, attempt, immediate danger handed off {m['handoff_kinds_handed_off']:.1%}",
        f"lookalikes handed off {m['lookalikes_handed_off']:.1%}; checked in (beyond sadness, denial, past) "
        f"{m['lookalikes_checked_in']:.1%}; unrelated handed off {m['unrelated_handed_off']:.1%}",
        f"category right when handed off {m['category_right']:.1%}",
        "crisis by kind:", *table(crisis, "kind"),
        "crisis by category:", *table(crisis, "category"),
        "others by kind:", *table(others, "kind"),
    ]
    missed = misses(m)
    lines.append("targets: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    return "\n".join(lines)


def load_agent(model: Path = MODEL) -> Any:
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    from bot.runtime.patches import apply

    # As `rasa run` does at INFO: unconfigured, Rasa's structlog prints every parse, message text included.
    configure_logging_and_warnings(logging.INFO, warn_only_once=True, filter_repeated_logs=True)
    configure_structlog(logging.INFO)
    apply()
    return Agent.load(str(model))


@dataclass(frozen=True)
class _Side:
    """A crisis example labelled by which side of the line it is on, for ``distance``."""

    text: str
    label: str


def distances(sets: Dict[str, List[Example]]) -> Dict[str, Dict[str, float]]:
    """How far each set sits from the training data: is the nearest training line on the same side (crisis or not)?"""
    from bot.evaluation.distance import describe, distance
    from bot.evaluation.quick_crisis import EmbeddingCache, frozen_encoder

    def sides(examples: List[Example]) -> List[_Side]:
        return [_Side(e.text, "crisis" if e.is_crisis else "not") for e in examples]

    # The frozen encoder's space, not the tuned one's: tuning pulls the training lines' labels apart.
    encoder = frozen_encoder()
    cache = EmbeddingCache(encoder=encoder)
    train = sides(training_examples())
    train_vectors = cache.encode(encoder, [e.text for e in train])
    print("\nhow far each set sits from the training data (same label: the nearest training line is on the same side, crisis or not):")
    out = {}
    for name, examples in sets.items():
        out[name] = distance(train, train_vectors, sides(examples), cache.encode(encoder, [e.text for e in examples]))
        print(describe(name, out[name]))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--choose", action="store_true", help="score the dev set only and print thresholds")
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--show-errors", action="store_true", help="print each wrong message (dev only)")
    parser.add_argument("--quick", action="store_true",
                        help="fit the crisis model in process from the data (no `rasa train`) and score dev only")
    args = parser.parse_args(argv)
    if args.quick:
        from bot.evaluation.quick_crisis import fit, use_project_encoder

        print(f"encoder: {use_project_encoder()}")
        agent, args.choose = fit(), True  # a quick fit never scores the test set
    elif not args.model.exists():
        print(f"error: {args.model} is missing: run `make train`", file=sys.stderr)
        return 2
    else:
        agent = load_agent(args.model)
    dev = score(agent, load(DEV_DIR))
    print(report("dev: held-out families", [r for r in dev if r.example.style != "public"]))
    quiet = {e.text for e in read_file(QUIET_FILE)}
    print()
    print(report("dev: of which the quiet shapes (quiet_more.yml)", [r for r in dev if r.example.text in quiet]))
    print()
    print(report("dev: public text (counsel-chat questions, GoEmotions comments)", [r for r in dev if r.example.style == "public"]))
    component = getattr(agent, "component", None) or wiring.peek("crisis_model")
    screen_threshold = float(component.config["screen_threshold"])
    screen_dev, screen_ms = screen.score(component, load(DEV_DIR))
    print(screen.report("dev families", [r for r in screen_dev if r.example.style != "public"], screen_threshold, screen_ms))
    print(screen.report("dev public text", [r for r in screen_dev if r.example.style == "public"], screen_threshold))
    if args.show_errors:
        for r in dev:
            wrong = (r.example.is_crisis and r.zone == NO_CRISIS) or (not r.example.is_crisis and r.zone == HANDOFF)
            if wrong:
                print(f"  {r.zone:8} {r.risk:.2f} [{r.example.kind}] {r.example.text[:110]!r}")
    if args.choose:
        chosen = choose(dev)
        screen_threshold = screen.choose(screen_dev)
        print(f"\nthresholds chosen on dev: handoff_threshold {chosen.handoff}, check_in_threshold {chosen.check_in}, "
              f"sentence_check_in_threshold {chosen.sentence_check_in}, screen_threshold {screen_threshold}")
        print(screen.report("dev families under the chosen threshold", [r for r in screen_dev if r.example.style != "public"],
                            screen_threshold))
        print(report("dev (held-out families) under the chosen thresholds", rezone([r for r in dev if r.example.style != "public"], chosen)))
        print(report("dev (public text) under the chosen thresholds", rezone([r for r in dev if r.example.style == "public"], chosen)))
        return 0
    figures: Dict[str, Any] = {}
    for key, name, directory in TEST_SETS:
        examples = load(directory)
        rows, (screen_rows, _) = score(agent, examples), screen.score(component, examples)
        print()
        print(report(name, rows))
        print(screen.report(key.replace("_", " "), screen_rows, screen_threshold))
        figures[key], figures[f"screen_{key}"] = metrics(rows), screen.metrics(screen_rows, screen_threshold)
    public = [r.example for r in dev if r.example.style == "public"]
    families = [r.example for r in dev if r.example.style != "public"]
    figures["distance"] = distances({"dev": families, "dev_public": public,
                                     **{key: load(directory) for key, _, directory in TEST_SETS}})
    if args.json:
        args.json.write_text(json.dumps({"dev": metrics([r for r in dev if r.example.style != "public"]),
                                         "dev_quiet": metrics([r for r in dev if r.example.text in quiet]),
                                         "dev_public": metrics([r for r in dev if r.example.style == "public"]), **figures},
                                        indent=2) + "\n")
    return 1 if any(misses(figures[key]) for key, _, _ in TEST_SETS) else 0


if __name__ == "__main__":
    sys.exit(main())
