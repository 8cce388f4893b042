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
    if intent["name"] == "crisis_check_in":
        # The crisis model asks first; after "No" the bot answers the topic it found (bot.nlg).
        topics = [e["value"] for e in parse.get("entities") or [] if e["entity"] == "faq_topic"]
        return f"faq/{topics[0]} (after a check-in)" if topics else "crisis_check_in"
    return intent.get("full_retrieval_intent_name") or intent["name"]


def test_holdout_topic_accuracy(agent) -> None:
    cases = holdout()
    predictions = [(text, want, predict(agent, text)) for text, want in cases]
    misses = [(text, want, got) for text, want, got in predictions if got.removesuffix(" (after a check-in)") != want]
    checked_in = sum(got.endswith("(after a check-in)") for _, _, got in predictions)
    print(f"\nchecked in first (crisis model), then answered after a no: {checked_in}")
    accuracy = 1 - len(misses) / len(cases)
    print(f"\nheld-out top-1 topic accuracy: {accuracy:.1%} ({len(cases) - len(misses)}/{len(cases)})")
    for text, want, got in misses:
        print(f"  miss: {text!r}: expected {want}, got {got}")
    confusions = Counter((w, g) for _, w, g in misses)
    if confusions:
        print("  most confused:", confusions.most_common(5))
    assert accuracy >= TARGET
