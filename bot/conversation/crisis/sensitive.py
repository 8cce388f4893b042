"""Which of the sensitive questions a message asks, so each gets its own answer.

Why: one stock answer for every question about suicide, self-harm or abuse
left real questions unanswered: someone afraid that honesty means a hospital
stay (a main reason people hide suicidal thoughts), a parent asking whether
asking puts the idea in a teenager's head, someone grieving a suicide, someone
"not suicidal, just struggling" who heard about suicide anyway. The message is
already classified as ``sensitive_question``; this picks the answer variant
(``utter_sensitive_question`` conditioned on the ``sensitive_topic`` slot,
which ``bot.conversation.nlg.ContextualNLG`` fills at render time). Anything else keeps
the general answer. Patterns are data; the first that matches wins, most
specific first.
"""

from __future__ import annotations

import re
from typing import Optional

SENSITIVE_TOPICS: tuple[tuple[str, str], ...] = (
    ("struggling", r"\bnot suicidal\b|\bno thoughts of suicide\b|\bi(?:'d| would) never hurt myself\b"
                   r"|\bi'?m not (?:going to|gonna) hurt myself\b|\bdont want to die or anything\b|\bnot in (?:any )?danger\b"
                   r"|\bnot thinking about ending\b|\bnot in crisis\b|\bi'?m (?:fine|safe) safety wise\b"),
    ("hospital", r"\bhospital\w*|\bsectioned\b|\bcommitted\b|\block(?:ed)? (?:me |you )?up\b|\bpsych(?:iatric)? (?:ward|hold)\b"),
    ("scars", r"\bscars?\b"),
    ("suicide_loss", r"\b(?:lost|losing|loss|died|death|bereave\w*|grief|grieving)\b.{0,40}\bsuicide\b"
                     r"|\bsuicide\b.{0,20}\b(?:loss|bereavement|grief)\b|\btook (?:his|her|their) (?:own )?life\b"),
    ("asking_directly", r"\b(?:ask|asking|bring(?:ing)? up|mention\w*)\b.{0,40}\bsuicid\w*.{0,40}\b(?:idea|head|worse)\b"
                        r"|\bput (?:the|that) idea\b|\bplant(?:ing)? the idea\b"),
    ("warning_signs", r"\b(?:warning )?signs?\b.{0,40}\bsuicid\w*"),
)
_COMPILED = tuple((key, re.compile(pattern, re.I)) for key, pattern in SENSITIVE_TOPICS)


def sensitive_topic(text: str) -> Optional[str]:
    """The key of the first sensitive topic the text asks about, or None for the general answer."""
    for key, pattern in _COMPILED:
        if pattern.search(text or ""):
            return key
    return None
