"""What the simulated visitors say: a realistic mix, drawn reproducibly.

Real traffic is mostly FAQ questions, with follow-ups ("tell me more", a tap on
a suggested topic's button), small talk around them, and now and then a
person in crisis. The mix matters for the figures: a follow-up goes through
the action server, a button payload skips the classifiers, a crisis message
takes the in-process hand-off path and writes an audit row. FAQ questions
come from tests/faq/dev/holdout.yml (written apart from the training data, so the
classifier is not timed on sentences it memorised), crisis messages from the
explicit statements, attempts and immediate dangers of the crisis test set
(tests/crisis/test/; each must get a helpline).
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
HOLDOUT = ROOT / "tests" / "faq" / "dev" / "holdout.yml"
CRISIS_SET = ROOT / "tests" / "crisis" / "test"
TOPICS = ROOT / "data" / "knowledge" / "topics.yml"

# Probability that any one turn is a crisis message (about 3% of all messages).
CRISIS_SHARE = 0.03

SMALL_TALK = [
    "hi", "hello there", "hey", "good morning", "thanks!", "thank you, that helps", "ok thanks",
    "are you a bot?", "am i talking to a real person", "what can you do?", "help", "bye", "see you",
    "ok", "yes", "no thanks", "can i talk to a human", "i'm in the UK", "what's the weather like today",
]
OPENERS = ["hi", "hello", "hey there", "good evening", "hi, i have a question"]
FOLLOW_UPS = ["tell me more", "can you tell me more about that", "more please", "go on", "what else should i know about that"]
CLOSERS = ["thanks!", "thank you", "that was helpful, thanks", "bye", "ok goodbye"]


@functools.lru_cache(maxsize=1)
def faq_questions() -> tuple[str, ...]:
    """Every held-out FAQ question (all topics)."""
    data = yaml.safe_load(HOLDOUT.read_text(encoding="utf-8"))
    out = []
    for block in data.get("nlu") or []:
        for line in (block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                out.append(line[2:].strip())
    if not out:
        raise RuntimeError(f"no questions found in {HOLDOUT}")
    return tuple(out)


@functools.lru_cache(maxsize=1)
def crisis_messages() -> tuple[str, ...]:
    """Explicit crisis statements: every one of them must be answered with a helpline."""
    from bot.understanding.crisis_data import HANDOFF_KINDS, load

    out = tuple(e.text for e in load(CRISIS_SET) if e.kind in HANDOFF_KINDS)
    if not out:
        raise RuntimeError(f"no explicit crisis messages in {CRISIS_SET}")
    return out


@functools.lru_cache(maxsize=1)
def topic_ids() -> tuple[str, ...]:
    data = yaml.safe_load(TOPICS.read_text(encoding="utf-8"))
    return tuple(t["id"] for t in data["topics"])


@dataclass
class Conversation:
    """One visitor's conversation: a fresh sender id and a bounded number of turns.

    Messages are drawn lazily, so what comes next can depend on the last turn
    (a follow-up only after an FAQ answer), as with a person.
    """

    sender: str
    rng: random.Random
    turns_left: int
    last_kind: str = ""

    @classmethod
    def start(cls, sender: str, rng: random.Random) -> Conversation:
        return cls(sender=sender, rng=rng, turns_left=rng.randint(2, 7))

    @property
    def done(self) -> bool:
        return self.turns_left <= 0

    def next_message(self) -> tuple[str, str]:
        """(kind, text); kind is one of faq, follow_up, button, small_talk, crisis."""
        rng = self.rng
        self.turns_left -= 1
        if rng.random() < CRISIS_SHARE:
            kind, text = "crisis", rng.choice(crisis_messages())
        elif not self.last_kind:
            kind, text = ("small_talk", rng.choice(OPENERS)) if rng.random() < 0.4 else ("faq", rng.choice(faq_questions()))
        elif self.turns_left == 0 and rng.random() < 0.6:
            kind, text = "small_talk", rng.choice(CLOSERS)
        elif self.last_kind in ("faq", "button", "follow_up"):
            roll = rng.random()
            if roll < 0.2:
                kind, text = "follow_up", rng.choice(FOLLOW_UPS)
            elif roll < 0.4:
                kind, text = "button", f"/faq/{rng.choice(topic_ids())}"
            elif roll < 0.85:
                kind, text = "faq", rng.choice(faq_questions())
            else:
                kind, text = "small_talk", rng.choice(SMALL_TALK)
        else:
            kind, text = ("faq", rng.choice(faq_questions())) if rng.random() < 0.8 else ("small_talk", rng.choice(SMALL_TALK))
        self.last_kind = kind
        return kind, text
