"""Each platform delivery answered once: a resend or a replayed request with the same message id is ignored.

Platforms resend a delivery they think failed (a slow answer, a network
error), and anyone who captures a signed request can send it again within
the signature's window. Answering twice sends the visitor the same replies
twice and counts a crisis hand-off twice. Each platform gives every delivery
an id: Twilio's ``MessageSid``, Messenger's ``mid``, Telegram's
``update_id``, Slack's ``event_id``. The first request with an id is taken
and recorded in the bot's database (``platform_deliveries``, shared by every
worker and server); any later one with the same id gets the platform's
usual success answer and nothing else.

If the database cannot be reached the delivery is answered anyway: a
duplicate reply is a far smaller harm than a crisis message left unanswered.
Records older than ``KEEP_HOURS`` are deleted as new ones arrive (platforms
stop resending within minutes).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from datetime import datetime, timedelta, timezone
from typing import Optional

logger = logging.getLogger(__name__)

KEEP_HOURS = 24
# One insert in this many also deletes the expired records.
PRUNE_ONE_IN = 200
_warned = False


def delivery_key(channel: str, delivery_id: str) -> str:
    return hashlib.sha256(f"{channel}:{delivery_id}".encode()).hexdigest()


def record_first(channel: str, delivery_id: str, url: Optional[str] = None) -> bool:
    """True the first time ``(channel, delivery_id)`` is seen; False for a repeat. Blocking (a database write)."""
    global _warned
    from sqlalchemy import delete
    from sqlalchemy.exc import IntegrityError, SQLAlchemyError

    from bot.storage.models import Delivery
    from bot.storage.session import session_factory

    now = datetime.now(timezone.utc).replace(tzinfo=None)
    try:
        with session_factory(url).begin() as session:
            session.add(Delivery(key=delivery_key(channel, delivery_id), seen_at=now))
            if random.randrange(PRUNE_ONE_IN) == 0:
                session.execute(delete(Delivery).where(Delivery.seen_at < now - timedelta(hours=KEEP_HOURS)))
        return True
    except IntegrityError:
        return False
    except SQLAlchemyError as exc:
        if not _warned:
            _warned = True
            logger.error("delivery ids cannot be recorded (%s); resends may be answered twice", type(exc).__name__)
        return True


async def first_delivery(channel: str, delivery_id: object) -> bool:
    """Whether to answer this delivery: True unless its id was already taken. No id: always answered."""
    if delivery_id is None or isinstance(delivery_id, bool) or not str(delivery_id).strip():
        return True
    return await asyncio.get_running_loop().run_in_executor(None, record_first, channel, str(delivery_id).strip())
