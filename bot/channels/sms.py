"""Bot replies reshaped for plain-text messaging: SMS above all, and the size limits of the others.

An SMS cannot show a button, a link or bold type, and separate messages can
reach a phone in any order. So on SMS a whole turn is composed at once
(:func:`sms_bodies`): a crisis reply goes first and is never shortened, the
other replies follow, the buttons of the turn become one numbered line
("Reply 1 for DBT, 2 for Homework or 3 for Types of therapy.") at the end,
and the result is cut into as few messages as fit the platform's limit, at
paragraph, then line, then sentence, then word boundaries. A reply of just a
number picks that option (:func:`pick_option`); the options are read back
from the conversation's stored events (:func:`last_turn_options`), so any
server instance can resolve the reply without remembering anything itself.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping, Optional, Sequence

# Twilio's limit for one message body; longer bodies are refused, not split.
SMS_MAX_CHARS = 1600
# Options are answered with one or two typed digits; nine keep it one.
MAX_OPTIONS = 9
CRISIS_PREFIX = "utter_crisis"

# Coarsest boundary first: where a long text is cut, and what rejoins the pieces.
_BOUNDARIES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\n[ \t]*\n\s*"), "\n\n"),  # paragraphs
    (re.compile(r"\n"), "\n"),  # lines (each helpline is one)
    (re.compile(r"(?<=[.!?])\s+"), " "),  # sentences
    (re.compile(r"\s+"), " "),  # words
)

_MARKDOWN_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
_MARKDOWN_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_OPTION_REPLY = re.compile(r"^\s*(?:#|no\.?|number|option)?\s*(\d{1,2})\s*[.)!]?\s*$", re.IGNORECASE)

# Typographic characters outside the GSM 7-bit alphabet: one of them switches
# the whole message to UCS-2, 70 instead of 160 characters per segment, and
# some older phones show boxes instead.
_GSM_REPLACEMENTS = str.maketrans(
    {"—": "-", "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "\u00a0": " ", "•": "-"}
)


def plain_text(text: str) -> str:
    """Markdown the web renders, as plain text: ``**CBT**`` -> ``CBT``, ``[name](url)`` -> ``name (url)``.

    ``tel:``/``sms:`` links keep only their label: the number is already
    written out in it, and a phone makes it tappable by itself.
    """

    def link(m: re.Match[str]) -> str:
        label, url = m.group(1), m.group(2)
        if url.startswith(("tel:", "sms:")) or label == url:
            return label
        return f"{label} ({url})"

    return _MARKDOWN_STRONG.sub(r"\2", _MARKDOWN_LINK.sub(link, text))


def gsm_friendly(text: str) -> str:
    return text.translate(_GSM_REPLACEMENTS)


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at the coarsest boundary that works.

    Nothing is ever dropped: a helpline line is only cut when the line alone
    is longer than the limit, and a single word longer than the limit is cut
    at the limit.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    return _split(text, limit, 0) if text else []


def _split(text: str, limit: int, level: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    if level == len(_BOUNDARIES):
        return [text[i:i + limit] for i in range(0, len(text), limit)]
    pattern, joiner = _BOUNDARIES[level]
    units = [u.strip() for u in pattern.split(text) if u.strip()]
    if len(units) <= 1:
        return _split(text, limit, level + 1)
    pieces: list[str] = []
    for unit in units:
        pieces.extend(_split(unit, limit, level + 1))
    # Greedy packing: pieces of one over-long unit never fit together again
    # (they were packed greedily one level down), so only neighbours merge.
    packed: list[str] = []
    for piece in pieces:
        if packed and len(packed[-1]) + len(joiner) + len(piece) <= limit:
            packed[-1] += joiner + piece
        else:
            packed.append(piece)
    return packed


# --- numbered options ------------------------------------------------------------------


def turn_options(messages: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The buttons of a turn's messages, in order, each payload once, at most MAX_OPTIONS."""
    options: list[dict[str, str]] = []
    seen: set[str] = set()
    for message in messages:
        for button in message.get("buttons") or message.get("quick_replies") or []:
            if not isinstance(button, Mapping):
                continue
            title, payload = button.get("title"), button.get("payload")
            if not isinstance(title, str) or not isinstance(payload, str) or not title.strip() or payload in seen:
                continue
            seen.add(payload)
            options.append({"title": title.strip(), "payload": payload})
    return options[:MAX_OPTIONS]


def options_line(options: Sequence[Mapping[str, str]]) -> str:
    """``Reply 1 for DBT, 2 for Homework or 3 for Types of therapy.``"""
    if not options:
        return ""
    parts = [f"{i} for {plain_text(o['title'])}" for i, o in enumerate(options, start=1)]
    if len(parts) == 1:
        return f"Reply {parts[0]}."
    return f"Reply {', '.join(parts[:-1])} or {parts[-1]}."


def is_option_reply(reply: Optional[str]) -> bool:
    """Whether a reply looks like a pick (``2``, ``#2``, ``option 2``), before the options are looked up."""
    return bool(reply and _OPTION_REPLY.match(reply))


def pick_option(reply: Optional[str], options: Sequence[Mapping[str, str]]) -> Optional[str]:
    """The payload of the option a reply such as ``2``, ``2.`` or ``#2`` picks; None for anything else."""
    if not reply or not options:
        return None
    m = _OPTION_REPLY.match(reply)
    if not m:
        return None
    index = int(m.group(1))
    return options[index - 1]["payload"] if 1 <= index <= len(options) else None


def last_turn_options(events: Iterable[Any]) -> list[dict[str, str]]:
    """The options the bot offered after the visitor's latest message, from the stored events."""
    from rasa.shared.core.events import BotUttered, UserUttered

    turn: list[dict[str, Any]] = []
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            turn.append(event.message())
    turn.reverse()
    return turn_options(turn)


# --- composing a turn -------------------------------------------------------------------


def is_crisis(message: Mapping[str, Any]) -> bool:
    return str(message.get("utter_action") or "").startswith(CRISIS_PREFIX)


def message_text(message: Mapping[str, Any]) -> str:
    """What of one bot message a plain-text channel can show: its text, and an image as its address."""
    parts = [plain_text(message.get("text") or "").strip()]
    if isinstance(message.get("image"), str):
        parts.append(message["image"])
    return "\n\n".join(p for p in parts if p)


def sms_bodies(messages: Sequence[Mapping[str, Any]], limit: int = SMS_MAX_CHARS) -> list[str]:
    """The SMS bodies for one turn's bot messages: crisis first and whole, the options last."""
    options = turn_options(messages)
    crisis = "\n\n".join(t for t in (message_text(m) for m in messages if is_crisis(m)) if t)
    rest = [message_text(m) for m in messages if not is_crisis(m)]
    rest.append(options_line(options))
    bodies = split_text(gsm_friendly(crisis), limit)
    bodies += split_text(gsm_friendly("\n\n".join(t for t in rest if t)), limit)
    return bodies
