"""Over-long messages read for a crisis, piece by piece, off the event loop.

A message over MAX_MESSAGE_CHARS is cut into pieces (``windows.pieces``).
The explicit-statement rules read every piece first (microseconds a piece):
a piece they match is taken at once. Otherwise the full crisis model reads
every piece, its windows and its sentences, through the sentence encoder.
That costs about 0.4 s of one core per 2,000-character piece, 25 s for a
100,000-character paste, so it runs on one thread of its own per process
(``reader``), never on the event loop: on the loop, one paste held every
other conversation of the process, crisis replies included, for as long,
and read as an overload to load shedding. Long reads wait for each other on
that thread, so a burst of pastes costs one core, not all of them.

Reading only the pieces the n-gram screen ranks highest was measured and
dropped: with a dev crisis line buried in 9 pieces of everyday dev text, the
screen ranked its piece among the top three for 65% of lines (39% among
lookalike text), since every piece has some sentence the screen admits.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, List, Optional

from bot.core import wiring
from bot.understanding.crisis_rules import get_rules
from bot.understanding.windows import pieces


def reader() -> ThreadPoolExecutor:
    """The process's one thread for reading over-long messages (``bot.core.wiring``)."""
    return wiring.get("long_message_reader", lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="long-read"))


def ruled_piece(chunks: List[str]) -> Optional[str]:
    """The first piece an explicit-statement rule matches: cheap enough for the event loop."""
    rules = get_rules()
    return next((chunk for chunk in chunks if rules.match(chunk) is not None), None)


def modelled_piece(chunks: List[str], model: Optional[Any]) -> Optional[str]:
    """The piece the full crisis model finds most concerning, if any raises concern (seconds: not on the loop)."""
    return None if model is None else model.most_concerning(chunks)


def most_concerning_piece(text: str, limit: int, model: Optional[Any]) -> Optional[str]:
    """The piece of an over-long ``text`` to process in its place, if one raises concern (in the calling thread)."""
    chunks = pieces(text, limit)
    return ruled_piece(chunks) or modelled_piece(chunks, model)
