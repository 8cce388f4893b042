"""Crisis audit rows: that a hand-off happened, never what was said.

Each row holds time, channel, tenant, region, category and which layer fired;
the sender id only as a salted SHA-256 hash (so repeat hand-offs to one person
can be counted without storing who they are). Written off the event loop so a
slow or unreachable database never delays the crisis reply itself.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timezone
from typing import Optional

from bot.core import wiring
from bot.core.background import off_the_loop
from bot.core.settings import get_settings, local_secret

logger = logging.getLogger(__name__)


def _salt() -> str:
    return wiring.get("audit_salt", lambda: local_secret("audit_salt", get_settings().audit_salt), from_settings=True)


def hash_sender(sender_id: str) -> str:
    return hashlib.sha256(f"{_salt()}:{sender_id}".encode()).hexdigest()


def erase_sender(sender_id: str, url: Optional[str] = None) -> int:
    """Delete one visitor's hand-off rows (they asked for their data to be erased)."""
    from sqlalchemy import delete

    from bot.storage.models import CrisisEvent
    from bot.storage.session import session_factory

    with session_factory(url).begin() as session:
        return session.execute(delete(CrisisEvent).where(CrisisEvent.sender_hash == hash_sender(sender_id))).rowcount


def write_event(channel: str, tenant: Optional[str], region: str, category: str, layer: str, sender_id: str, url: Optional[str] = None) -> None:
    from bot.storage.models import CrisisEvent
    from bot.storage.session import session_factory

    with session_factory(url).begin() as session:
        session.add(
            CrisisEvent(
                created_at=datetime.now(timezone.utc).replace(tzinfo=None),
                channel=(channel or "unknown")[:32],
                tenant=tenant,
                region=region,
                category=category,
                layer=layer,
                sender_hash=hash_sender(sender_id),
            )
        )


_failed_once = False


def _log_failure(exc: BaseException) -> None:
    global _failed_once
    # One clear line per process, not one per crisis: a flood of identical
    # errors would hide the first one.
    if not _failed_once:
        _failed_once = True
        logger.error("crisis audit row could not be written (%s); hand-offs still reach visitors", type(exc).__name__)


def record(channel: str, tenant: Optional[str], region: str, category: str, layer: str, sender_id: str) -> None:
    """Schedule the audit write in a worker thread and return at once."""

    def run() -> None:
        try:
            write_event(channel, tenant, region, category, layer, sender_id)
        except Exception as exc:  # noqa: BLE001 - the audit must never break a reply
            _log_failure(exc)

    off_the_loop(run)


def report(url: Optional[str] = None) -> list[tuple[str, str, int]]:
    """(day, category, count) rows, newest day first."""
    from sqlalchemy import func, select

    from bot.storage.models import CrisisEvent
    from bot.storage.session import session_factory

    day = func.date(CrisisEvent.created_at)
    stmt = select(day, CrisisEvent.category, func.count()).group_by(day, CrisisEvent.category).order_by(day.desc(), CrisisEvent.category)
    with session_factory(url).begin() as session:
        return [(str(d), c, n) for d, c, n in session.execute(stmt)]


def main() -> None:
    rows = report()
    if not rows:
        print("no crisis hand-offs recorded")
        return
    print(f"{'day':<12}{'category':<20}{'count':>6}")
    for d, c, n in rows:
        print(f"{d:<12}{c:<20}{n:>6}")


if __name__ == "__main__":
    main()
