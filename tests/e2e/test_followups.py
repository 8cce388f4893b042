"""Follow-ups after a topic answer, the way people actually continue a chat."""

from __future__ import annotations

import pytest


def topic_of(chat) -> str | None:
    return chat.tracker().latest_message.intent.get("full_retrieval_intent_name")


@pytest.mark.parametrize(
    "first, follow_up, expected",
    [
        ("what is cbt", "what about for couples?", "faq/formats"),
        ("what is dbt", "and how much does that cost?", "faq/costs_insurance"),
        ("how do i find a therapist", "can i do it online instead", "faq/online_therapy"),
        ("what happens in the first session", "how long is each one", "faq/sessions_length_frequency"),
    ],
)
def test_short_follow_ups_land_on_the_right_topic(chat, first: str, follow_up: str, expected: str) -> None:
    c = chat()
    c.say(first)
    assert c.say(follow_up)
    assert topic_of(c) == expected


def test_tell_me_more_refers_to_the_last_topic(chat) -> None:
    c = chat()
    c.say("what is acceptance and commitment therapy")
    assert c.tracker().get_slot("last_topic") == "act"
    c.say("tell me more")
    # The action server is not running in these tests; the turn still completes
    # and the slot that the follow-up needs is in place.
    assert c.tracker().latest_action_name == "action_listen"


def _answers() -> dict[str, list[str]]:
    import yaml

    from bot.core.settings import ROOT

    found = {}
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for name, variants in (yaml.safe_load(path.read_text()).get("responses") or {}).items():
            if name.startswith("utter_faq/"):
                # every variant: the one shown depends on the visitor's region
                found[name.removeprefix("utter_faq/")] = [v["text"] for v in variants]
    return found


def test_every_topic_button_answers_its_own_topic(chat) -> None:
    """Every answer's buttons send /faq/<topic>; each must give that topic's answer, not a guess."""
    wrong = []
    for topic, answers in sorted(_answers().items()):
        reply = chat().text(f"/faq/{topic}")
        if not any(answer.split("{")[0][:60] in reply for answer in answers):
            wrong.append((topic, reply[:80]))
    assert not wrong
