"""A sentence that reflects what someone wrote after choosing to keep talking.

Why: after a hand-off the bot invites the person to say what is on their mind;
the next message deserves to be received ("It sounds like you're feeling very
alone"), not met with a fallback or a topic menu. The sentence is built from a
fixed vocabulary of feelings and life areas, never from the person's own
words, so nothing they wrote (a method, a name) is ever repeated back, and it
stays honest about being a bot: it names what it noticed, it does not claim to
understand. The vocabulary is data (``FEELINGS``, ``AREAS``); a negated word
("not lonely") is skipped.
"""

from __future__ import annotations

import re

# (pattern, how the reply names it). The first two feelings found are named.
FEELINGS: tuple[tuple[str, str], ...] = (
    (r"lonely|alone|isolated|no one to talk to|nobody to talk to", "very alone"),
    (r"scared|afraid|frightened|terrified", "scared"),
    (r"anxious|worried|panic\w*|on edge", "anxious"),
    (r"exhausted|tired|worn out|drained", "exhausted"),
    (r"sad|down|low|depressed|miserable|crying|cry", "really low"),
    (r"hopeless|pointless|no point|give up", "hopeless"),
    (r"angry|furious|mad|rage", "angry"),
    (r"ashamed|shame|guilty|guilt|embarrassed", "ashamed"),
    (r"numb|empty|nothing inside", "empty"),
    (r"overwhelmed|too much|can't cope|cant cope|struggling", "overwhelmed"),
    (r"hurt|heartbroken|betrayed", "hurt"),
    (r"stressed|under pressure", "under a lot of pressure"),
)
AREAS: tuple[tuple[str, str], ...] = (
    (r"died|death|passed away|funeral|grief|grieving|lost (?:my|him|her)", "a loss"),
    (r"divorce|break ?up|broke up|boyfriend|girlfriend|husband|wife|partner|relationship|ex", "a relationship"),
    (r"mum|mom|dad|mother|father|parents?|family|brother|sister|son|daughter|kids?", "your family"),
    (r"work|job|boss|fired|laid off|unemployed", "work"),
    (r"school|exams?|uni|university|college|teacher|bullied|bullying", "school"),
    (r"money|debt|bills|rent|broke", "money worries"),
    (r"friends?", "friendships"),
    (r"sleep|insomnia", "sleep"),
    (r"health|ill|illness|sick|pain|diagnos\w*", "your health"),
)
_NEGATION = re.compile(r"\b(not|never|no|isn't|aren't|wasn't|don't|dont|n't)\s+(?:\w+\s+)?$", re.I)
SHORT_REPLY_WORDS = 3


def _found(text: str, vocabulary: tuple[tuple[str, str], ...]) -> list[str]:
    found: list[str] = []
    for pattern, name in vocabulary:
        for match in re.finditer(rf"\b(?:{pattern})\b", text, re.I):
            if not _NEGATION.search(text[: match.start()]):
                if name not in found:
                    found.append(name)
                break
    return found


def reflect(text: str) -> str:
    """One or two sentences naming the feelings and life areas in ``text``; a gentle default when none are found."""
    words = re.findall(r"[\w']+", text or "")
    feelings, areas = _found(text or "", FEELINGS)[:2], _found(text or "", AREAS)[:1]
    if not feelings and not areas:
        if len(words) <= SHORT_REPLY_WORDS:
            return "I'm here. Take your time, and tell me as much or as little as you like."
        return "Thank you for telling me that. It sounds like a lot to carry."
    feeling = " and ".join(feelings)
    if feelings and areas:
        return f"Thank you for telling me. It sounds like {areas[0]} is weighing on you, and you're feeling {feeling}."
    if feelings:
        return f"Thank you for telling me. It sounds like you're feeling {feeling}, and that's hard."
    return f"Thank you for telling me. It sounds like {areas[0]} is weighing on you."
