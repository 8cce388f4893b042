"""The crisis safety net on the labelled set, through the trained model (both layers)."""

from __future__ import annotations

import asyncio

import yaml

from tests.e2e.conftest import ROOT


def labelled() -> list[dict]:
    return yaml.safe_load((ROOT / "tests/crisis/labelled.yml").read_text())["messages"]


def test_crisis_recall_and_false_positives(agent) -> None:
    rows = labelled()
    results = []
    for row in rows:
        parse = asyncio.run(agent.parse_message(row["text"]))
        flagged = parse["intent"]["name"] == "crisis"
        category = (parse.get("crisis") or {}).get("category")
        results.append((row, flagged, category))
    crisis = [r for r in results if r[0]["label"] != "none"]
    explicit = [r for r in crisis if r[0]["kind"] == "explicit"]
    benign = [r for r in results if r[0]["label"] == "none"]
    recall = sum(f for _, f, _ in crisis) / len(crisis)
    explicit_recall = sum(f for _, f, _ in explicit) / len(explicit)
    fp_rate = sum(f for _, f, _ in benign) / len(benign)
    category_ok = sum(1 for row, f, c in crisis if f and c == row["label"]) / len(crisis)
    print(
        f"\ncrisis set: {len(crisis)} crisis lines, {len(benign)} benign lines\n"
        f"  recall {recall:.1%}, explicit recall {explicit_recall:.1%}, "
        f"false positives {fp_rate:.1%}, category right {category_ok:.1%}"
    )
    for row, flagged, _category in results:
        if (row["label"] != "none") != flagged:
            print(f"  {'MISS' if not flagged else 'FALSE ALARM'} [{row['label']}/{row['kind']}]: {row['text']!r}")
    assert explicit_recall == 1.0
    assert recall >= 0.98
    assert fp_rate <= 0.03
