"""The reply after "keep talking" reflects what was written, from a fixed vocabulary, never the words themselves."""

from __future__ import annotations

import pytest

from bot.conversation.crisis.reflect import reflect


@pytest.mark.parametrize(
    "text,expected",
    [
        ("i just feel so alone since my mum died", "a loss is weighing on you, and you're feeling very alone"),
        ("work has been crushing me and i'm exhausted", "work is weighing on you, and you're feeling exhausted"),
        ("I'm scared and I can't cope anymore", "you're feeling scared and overwhelmed"),
        ("my boyfriend broke up with me last week", "a relationship is weighing on you"),
    ],
)
def test_feelings_and_areas_are_named(text: str, expected: str) -> None:
    assert expected in reflect(text)


def test_a_negated_feeling_is_not_named() -> None:
    assert "alone" not in reflect("i'm not lonely, i just can't sleep")
    assert "sleep is weighing on you" in reflect("i'm not lonely, i just can't sleep")


def test_nothing_recognised_gets_a_gentle_default() -> None:
    assert reflect("ok") == "I'm here. Take your time, and tell me as much or as little as you like."
    assert reflect("it's hard to put into words what happened today") == (
        "Thank you for telling me that. It sounds like a lot to carry."
    )


@pytest.mark.parametrize("text", ["my brother Jake took the pills from the cabinet", "the bridge near 5th street"])
def test_the_persons_own_words_are_never_repeated(text: str) -> None:
    reply = reflect(text).lower()
    for word in ("jake", "pills", "cabinet", "bridge", "5th", "street"):
        assert word not in reply
