"""Per-organisation usage without personal data.

Counters only (conversations started, topics answered, crisis hand-offs, per
day); no text, no sender id, nothing per person. Reports suppress any figure
below ``MIN_COUNT`` and print no totals, so a small team's single crisis
hand-off cannot be singled out by subtraction.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import Mapping, Optional

from sqlalchemy.exc import SQLAlchemyError

from bot.core.background import off_the_loop

logger = logging.getLogger(__name__)

MIN_COUNT = 5


def write_count(tenant: str, kind: str, topic: str = "", url: Optional[str] = None) -> None:
    from bot.storage.session import session_factory
    from bot.tenants.repository import TenantRepository

    with session_factory(url).begin() as session:
        TenantRepository(session).count(tenant, kind, topic)


def record(tenant: Optional[str], kind: str, topic: str = "") -> None:
    """Count in a worker thread: the reply never waits on (or fails with) the database."""
    if not tenant:
        return

    def run() -> None:
        try:
            write_count(tenant, kind, topic)
        except SQLAlchemyError as exc:
            logger.error("tenant counter not written (%s)", type(exc).__name__)

    off_the_loop(run)


def shown(n: int) -> str:
    return str(n) if n >= MIN_COUNT else f"<{MIN_COUNT}"


def report(
    tenant: str,
    days: int = 30,
    url: Optional[str] = None,
    today: Optional[date] = None,
    labels: Optional[Mapping[str, str]] = None,
) -> str:
    """The organisation's counters as a Markdown table; ``labels`` names topics (ids are shown without it).

    The labels come from the caller (the content layer sits above tenants).
    """
    from bot.storage.session import session_factory
    from bot.tenants.repository import TenantRepository

    today = today or datetime.now(timezone.utc).date()
    since = today - timedelta(days=days - 1)
    with session_factory(url).begin() as session:
        repo = TenantRepository(session)
        info = repo.get(tenant)
        if info is None:
            raise LookupError(tenant)
        rows = repo.counts(tenant, since)
    per_day: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_topic: dict[str, int] = defaultdict(int)
    for row in rows:
        per_day[row.day][row.kind] += row.count
        if row.kind == "topic":
            per_topic[row.topic] += row.count
    lines = [
        f"{info.display_name} ({tenant}): {since.isoformat()} to {today.isoformat()}",
        f"Figures below {MIN_COUNT} are shown as <{MIN_COUNT}; no message text or sender is stored.",
        "",
        "| Day | Conversations | Questions answered | Crisis hand-offs |",
        "|---|---:|---:|---:|",
    ]
    for day in sorted(per_day):
        c = per_day[day]
        lines.append(f"| {day.isoformat()} | {shown(c['conversation'])} | {shown(c['topic'])} | {shown(c['crisis'])} |")
    if not per_day:
        lines.append("| (no activity) | | | |")
    lines += ["", "| Topic | Questions |", "|---|---:|"]
    labels = labels or {}
    for topic, n in sorted(per_topic.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"| {labels.get(topic, topic)} | {shown(n)} |")
    if not per_topic:
        lines.append("| (none) | |")
    return "\n".join(lines)
