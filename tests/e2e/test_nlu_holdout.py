"""Top-1 topic accuracy on held-out questions that were written apart from the training data."""

from __future__ import annotations

import asyncio
from collections import Counter

import yaml

from tests.e2e.conftest import ROOT

TARGET = 0.95


def holdout() -> list[tuple[str, str]]:
    data = yaml.safe_load((ROOT / "tests/nlu_holdout.yml").read_text())
    return [
        (line[2:].strip(), block["intent"])
        for block in data["nlu"]
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    ]


def predict(agent, text: str) -> str:
    parse = asyncio.run(agent.parse_message(text))
    intent = parse["intent"]
    return intent.get("full_retrieval_intent_name") or intent["name"]


def test_holdout_topic_accuracy(agent) -> None:
    cases = holdout()
    misses = [(text, want, got) for text, want in cases if (got := predict(agent, text)) != want]
    accuracy = 1 - len(misses) / len(cases)
    print(f"\nheld-out top-1 topic accuracy: {accuracy:.1%} ({len(cases) - len(misses)}/{len(cases)})")
    for text, want, got in misses:
        print(f"  miss: {text!r}: expected {want}, got {got}")
    confusions = Counter((w, g) for _, w, g in misses)
    if confusions:
        print("  most confused:", confusions.most_common(5))
    assert accuracy >= TARGET
