"""Over-long messages read for a crisis, piece by piece, off the event loop.

A message over MAX_MESSAGE_CHARS is cut into pieces (``windows.pieces``).
The explicit-statement rules read every piece first (microseconds a piece):
a piece they match is taken at once. Otherwise the full crisis model reads
every piece, its windows and its sentences, through the sentence encoder.
That costs about 0.4 s of one core per 2,000-character piece, 25 s for a
100,000-character paste, so it runs on one thread of its own per process
(``LongReader``), never on the event loop: on the loop, one paste held every
other conversation of the process, crisis replies included, for as long,
and read as an overload to load shedding. Long reads wait for each other on
that thread, so a burst of pastes costs one core, not all of them; past a
few waiting, the n-gram screen reads the next ones alone.

Reading only the pieces the n-gram screen ranks highest was measured and
dropped: with a dev crisis line buried in 9 pieces of everyday dev text, the
screen ranked its piece among the top three for 65% of lines (39% among
lookalike text), since every piece has some sentence the screen admits.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any, List, Optional

from bot.core import wiring
from bot.understanding.crisis_rules import get_rules

# Long reads waiting for the thread (the one being read included) before the next is read by the screen alone.
MAX_WAITING = 4


class LongReader:
    """The process's one thread for reading over-long messages, and how many wait for it.

    Past ``MAX_WAITING`` (a burst of pastes), a long message is read by the
    n-gram screen alone, piece by piece, as a full server reads what it sheds
    (``bot.channels.shed``): a piece it flags is processed as the message, so a
    person in crisis does not wait behind a queue of pastes for minutes.
    """

    def __init__(self, max_waiting: int = MAX_WAITING) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="long-read")
        self.max_waiting = max_waiting
        self.waiting = 0  # changed on the event loop only

    async def read(self, chunks: List[str], model: Optional[Any]) -> Optional[str]:
        if self.waiting >= self.max_waiting:
            return screened_piece(chunks, model)
        self.waiting += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self.executor, modelled_piece, chunks, model)
        finally:
            self.waiting -= 1


def reader() -> LongReader:
    """The process's ``LongReader`` (``bot.core.wiring``)."""
    return wiring.get("long_message_reader", LongReader)


def ruled_piece(chunks: List[str]) -> Optional[str]:
    """The first piece an explicit-statement rule matches: cheap enough for the event loop."""
    rules = get_rules()
    return next((chunk for chunk in chunks if rules.match(chunk) is not None), None)


def modelled_piece(chunks: List[str], model: Optional[Any]) -> Optional[str]:
    """The piece the full crisis model finds most concerning, if any raises concern (seconds: not on the loop)."""
    return None if model is None else model.most_concerning(chunks)


def screened_piece(chunks: List[str], model: Optional[Any]) -> Optional[str]:
    """The piece the n-gram screen finds most concerning, if it admits it (about 0.3 ms a piece)."""
    if model is None or getattr(model, "screen", None) is None:
        return None
    risk, piece = max((model.screen_risk(chunk) or 0.0, chunk) for chunk in chunks)
    return piece if risk >= float(model.config["screen_threshold"]) else None
