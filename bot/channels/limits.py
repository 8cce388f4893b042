"""Over-long messages: a friendly request to shorten, never a person in crisis missed.

A message over MAX_MESSAGE_CHARS is not run through the NLU pipeline (its
cost grows with length, and nobody's question needs pages). But a long
message is also how some people pour out what they are going through, so it
is first read by the crisis detector, in pieces of the allowed length: a
piece that signals a crisis is processed in the message's place, so the
crisis reply comes as for a short message. Only a message with no crisis
signal gets the plain "please send a shorter message" reply.
"""

from __future__ import annotations

import re
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage

# Beyond this the message is not even scanned (the channels refuse bigger bodies).
MAX_SCAN_CHARS = 100_000
_BREAK_RE = re.compile(r"(?<=[.!?\n])\s+")


def too_long_reply(limit: int) -> str:
    return (
        f"That message is longer than I can read at once ({limit:,} characters at most). "
        "Could you send your question in a shorter message? "
        "If you are going through something difficult right now, you can reach a helpline straight away: "
        "tap \"Need help now?\" or type \"need help now\"."
    )


def pieces(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut between sentences where possible."""
    out: list[str] = []
    current = ""
    for sentence in _BREAK_RE.split(text[:MAX_SCAN_CHARS]):
        while len(sentence) > limit:
            out.append(sentence[:limit])
            sentence = sentence[limit:]
        if len(current) + len(sentence) + 1 > limit:
            out.append(current)
            current = ""
        current = f"{current} {sentence}" if current else sentence
    if current:
        out.append(current)
    return [p for p in out if p.strip()]


def screen(text: str, limit: int) -> tuple[Optional[str], Optional[str]]:
    """``(text to process, None)`` or ``(None, reply to send instead)``."""
    if len(text) <= limit:
        return text, None
    from bot.crisis.detector import get_detector

    detector = get_detector()
    for piece in pieces(text, limit):
        if detector.detect(piece) is not None:
            return piece, None
    return None, too_long_reply(limit)


def limited(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
    """``on_new_message`` with over-long messages screened, for channels that reply through an output channel."""

    async def handler(message: UserMessage) -> Any:
        from bot.settings import get_settings

        text, reply = screen(message.text or "", get_settings().max_message_chars)
        if reply is not None:
            await message.output_channel.send_text_message(message.sender_id, reply)
            return None
        message.text = text
        return await on_new_message(message)

    return handler
