"""Over-long messages: a friendly request to shorten, never a person in crisis missed.

A message over MAX_MESSAGE_CHARS is not run through the NLU pipeline (its
cost grows with length, and nobody's question needs pages). But a long
message is also how some people pour out what they are going through, so it
is first read by the crisis model (registered in ``bot.core.wiring`` when Rasa
loads the trained model; the explicit-statement rules alone where no model is
loaded), in pieces (``bot.understanding.long_messages``: the rules on the
event loop, the model on a thread of its own, so the loop keeps answering
everyone else): a piece that raises concern (hand-off or check-in) is
processed in the message's place, so the crisis reply comes as for a short
message. Only a message with no crisis signal gets the plain "please send a
shorter message" reply.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage

from bot.core import wiring
from bot.understanding.long_messages import reader, ruled_piece
from bot.understanding.windows import MAX_SCAN_CHARS, pieces

__all__ = ["MAX_SCAN_CHARS", "pieces", "screen_off_loop", "limited", "too_long_reply"]


def too_long_reply(limit: int) -> str:
    return (
        f"That message is longer than I can read at once ({limit:,} characters at most). "
        "Could you send your question in a shorter message? "
        "If you are going through something difficult right now, you can reach a helpline straight away: "
        "tap \"Need help now?\" or type \"need help now\"."
    )


async def screen_off_loop(text: str, limit: int) -> tuple[Optional[str], Optional[str]]:
    """``(text to process, None)`` or ``(None, reply to send instead)``: the rules on the event loop, the crisis
    model on the long-message thread.

    An explicit statement is found at once, without waiting behind other
    long reads; what only the model can find waits its turn on that thread
    (or, behind a burst of pastes, is read by the n-gram screen) while the
    loop goes on answering everyone else.
    """
    if len(text) <= limit:
        return text, None
    chunks = pieces(text, limit)
    found = ruled_piece(chunks)
    if found is None:
        found = await reader().read(chunks, wiring.peek("crisis_model"))
    return (found, None) if found is not None else (None, too_long_reply(limit))


def limited(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
    """``on_new_message`` with over-long messages screened, for channels that reply through an output channel."""

    async def handler(message: UserMessage) -> Any:
        from bot.core.settings import get_settings

        text, reply = await screen_off_loop(message.text or "", get_settings().max_message_chars)
        if reply is not None:
            await message.output_channel.send_text_message(message.sender_id, reply)
            return None
        message.text = text
        return await on_new_message(message)

    return handler
