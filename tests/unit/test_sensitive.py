"""Each sensitive question gets its own answer, rendered by the project's NLG from the real domain."""

from __future__ import annotations

import asyncio

import pytest
import textstat
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversation.crisis.sensitive import sensitive_topic
from bot.conversation.nlg import ContextualNLG
from tests.unit.test_crisis_responses import BANNED, domain

GENERAL = "Therapy can help. Many people who have had thoughts of suicide"


def answer(text: str) -> dict:
    parse = {"intent": {"name": "sensitive_question", "confidence": 0.9}, "entities": [], "crisis": {"zone": "none"}}
    t = DialogueStateTracker.from_events("v", [UserUttered(text, parse["intent"], [], parse)], slots=domain().slots)
    return asyncio.run(ContextualNLG(domain=domain()).generate("utter_sensitive_question", t, "rest"))


@pytest.mark.parametrize(
    "question,topic,phrase",
    [
        ("will a therapist put you in hospital just for mentioning suicidal thoughts", "hospital", "Usually it does not"),
        ("is it true that asking someone about suicide puts the idea in their head", "asking_directly",
         "does not put the idea in their head"),
        ("what are warning signs that a friend might be suicidal", "warning_signs", "Signs that are new or growing"),
        ("are there support groups for people who lost someone to suicide", "suicide_loss", "bereaved by suicide"),
        ("can u get therapy for scars from self harm or is that just a doctor thing", "scars", "not to judge"),
        ("not suicidal, just lonely since moving cities, is online therapy any good for that", "struggling",
         "You don't need to be in crisis"),
        ("do therapists have to report abuse", None, GENERAL),
    ],
)
def test_each_sensitive_question_gets_its_own_answer(question: str, topic: str | None, phrase: str) -> None:
    assert sensitive_topic(question) == topic
    message = answer(question)
    assert phrase in message["text"]
    assert message["buttons"][0]["payload"] == "/crisis_help_now"  # help stays one tap away


def test_someone_not_suicidal_hears_nothing_about_suicide() -> None:
    text = answer("i'm not suicidal or anything, i just feel flat all the time, is therapy worth it")["text"]
    assert "suicid" not in text.lower()


def test_every_sensitive_answer_is_plain_safe_and_the_right_length() -> None:
    for variant in domain().responses["utter_sensitive_question"]:
        text = variant["text"]
        assert 40 <= len(text.split()) <= 120, text[:60]
        assert textstat.flesch_kincaid_grade(text) <= 9, text[:60]
        assert not BANNED.search(text), text[:60]
        assert "confidential" not in text.lower() and "secret" not in text.lower()
