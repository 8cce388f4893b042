"""Bookkeeping writes (audit rows, counters) done beside a reply, never in its way."""

from __future__ import annotations

import asyncio
from typing import Callable


def off_the_loop(work: Callable[[], None]) -> None:
    """Run ``work`` in a worker thread when called from the event loop, else right away.

    The reply never waits on the database, and a slow or failing database
    never delays a crisis reply. ``work`` must handle its own errors.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        work()
        return
    loop.run_in_executor(None, work)
