"""The trained intent model on its test families (never trained on, scored once), and the replies it leads to.

TARGETS (bot.evaluation.faq) are the issue's; FLOORS are what
this test enforces on the test split: the figures README reports, minus
about a point.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.evaluation import faq as ev
from bot.understanding import faq_data
from bot.understanding.intent_model import CLARIFY_INTENT
from tests.support import readme

# Measured on 2026-12-07 night with the encoder tuned at training time and the thresholds chosen again on dev with
# it (make eval-faq; fallback 0.15, topic 0.35, clarify 0.5 / 0.15): right 83.5%, out-of-scope answered 4.7%, none
# handed to crisis (with the frozen encoder, 2026-12-07: 83.0%, 6.6%, 0.9%). The test split was scored three times
# on 2026-12-06 (README), once on 2026-12-07 after near-duplicate training lines were reworded, then this time. The
# right-answer target is not met; these floors stop a regression.
FLOORS = {"right": 0.83, "out_of_scope_answered": 0.05, "out_of_scope_crisis": 0.0}


# The fresh test split (tests/faq/test_fresh/, written on 2026-12-07 without reading the training data or the other
# splits, after the first test split had informed threshold decisions), scored a third time with the tuned encoder:
# 95.1% right (96.2% with the frozen one), 4.1% of out-of-scope requests answered with an FAQ (5.8%), none handed to
# the crisis reply. Floors just under it; README says where it stands against the targets.
FRESH_FLOORS = {"right": 0.95, "out_of_scope_answered": 0.05, "out_of_scope_crisis": 0.0}
SPLITS = {"test": (faq_data.final_examples, FLOORS), "fresh": (faq_data.fresh_examples, FRESH_FLOORS)}


@pytest.fixture(scope="module")
def split_scores(agent) -> dict[str, list[ev.Scored]]:
    return {name: ev.score(agent, load()) for name, (load, _) in SPLITS.items()}


@pytest.fixture(scope="module")
def test_scores(split_scores: dict[str, list[ev.Scored]]) -> list[ev.Scored]:
    return split_scores["test"]


@pytest.mark.parametrize("split", SPLITS)
def test_each_test_split_meets_its_floors(split_scores: dict[str, list[ev.Scored]], split: str) -> None:
    m, floors = ev.metrics(split_scores[split]), SPLITS[split][1]
    print("\n" + ev.report(f"{split} families", split_scores[split]))
    assert m["right"] >= floors["right"], f"right {m['right']:.1%}"
    assert m["out_of_scope_answered"] <= floors["out_of_scope_answered"], f"{m['out_of_scope_answered']:.1%}"
    assert m["out_of_scope_crisis"] <= floors["out_of_scope_crisis"], f"{m['out_of_scope_crisis']:.1%}"


@pytest.mark.parametrize("split, row, keys", [
    ("test", "| FAQ understanding, **test families**", ["right"]),
    ("test", "| same: out-of-scope requests answered with an FAQ", ["out_of_scope_answered", "out_of_scope_crisis"]),
    ("fresh", "| FAQ understanding, **fresh test families**", ["right"]),
    ("fresh", "| same (fresh): out-of-scope requests answered with an FAQ", ["out_of_scope_answered", "out_of_scope_crisis"]),
])
def test_readme_reports_what_each_test_split_measures(split_scores: dict[str, list[ev.Scored]], split: str, row: str,
                                                      keys: list[str]) -> None:
    m = ev.metrics(split_scores[split])
    readme.check_row(row, [m[k] for k in keys], "make eval-faq")


def test_no_topic_collapses_on_its_test_lines(test_scores: list[ev.Scored]) -> None:
    # Measured 2026-12-05 evening: the weakest is not_working, 3/14 (7 of its 14 fall back: the topic threshold
    # chosen on dev, 0.35, refuses more than before). A floor under it: no label may lose another line.
    by_label: dict[str, list[bool]] = {}
    for r in test_scores:
        by_label.setdefault(r.example.label, []).append(ev.is_right(r))
    weak = {label: f"{sum(v)}/{len(v)}" for label, v in by_label.items() if sum(v) / len(v) < 0.2}
    assert not weak, weak


def reply(chat: Any, text: str) -> dict:
    messages = chat().say(text)
    assert messages, f"no reply to {text!r}"
    return messages[0]


def test_a_medicine_question_gets_the_safety_line(chat) -> None:
    text = reply(chat, "can i stop taking my sertraline if i feel better")["text"].lower()
    assert "pharmacist" in text and "prescribed" in text


def test_asking_for_a_person_gets_real_ways_to_reach_one(chat) -> None:
    message = reply(chat, "i want to talk to a real human please")
    assert "automated" in message["text"]
    assert {b["payload"] for b in message["buttons"]} >= {"/faq/find_therapist", "/crisis_help_now"}


def test_an_out_of_scope_request_says_what_the_bot_can_do(chat) -> None:
    message = reply(chat, "write me a python script that sorts a list")
    assert "therapy" in message["text"] and "can't help" not in message["text"]


def test_a_clarifying_question_offers_the_two_close_topics(agent, chat, test_scores: list[ev.Scored]) -> None:
    candidates = [r for r in test_scores if r.outcome == CLARIFY_INTENT and r.crisis == "none"]
    if not candidates:
        pytest.fail("no test line led to a clarifying question: check clarify_ratio in config.yml")
    r = candidates[0]
    message = reply(chat, r.example.text)
    payloads = [b["payload"] for b in message["buttons"]]
    assert payloads[:2] == [f"/{t}" for t in r.buttons], payloads
    assert "/help" in payloads
