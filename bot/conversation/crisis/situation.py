"""The situation behind a crisis message where one category has more than one right reply.

Why: a harm-to-others hand-off about a baby needs a different first step
("put your baby somewhere safe and step away") and a perinatal line, and it
needs to hear that such thoughts are common after birth and treatable; the
general reply (talk to someone, keep your distance) does not fit a parent
alone with a newborn. The crisis model gives the category; this reads the
situation from the words, and ``bot.conversation.nlg.ContextualNLG`` puts it in the
``crisis_situation`` slot at render time so Rasa picks the matching variant.
"""

from __future__ import annotations

import re

GENERAL = "general"
PERINATAL = "perinatal"
# Categories whose replies have a variant per situation.
SITUATION_CATEGORIES = {"harm_to_others": PERINATAL}
_PERINATAL = re.compile(
    r"\b(?:my|the|our)\s+(?:new\s*born|newborn|baby|infant|little one)\b|\bpost\s?(?:partum|natal)\b|\bsince (?:i )?gave birth\b",
    re.I,
)


def situation(text: str) -> str:
    """``perinatal`` when the message is about a baby, else ``general``."""
    return PERINATAL if _PERINATAL.search(text or "") else GENERAL
