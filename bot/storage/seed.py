"""The bot database's schema, made ready (idempotent): for ``python -m bot.storage init`` and the tests.

Safe to run on every start: tables are created only if missing. Helplines are
not stored here; they are read from ``data/resources/helplines.yml``.
"""

from __future__ import annotations


def init_db(url: str | None = None) -> list[str]:
    """Create the missing tables; returns the names of the project's tables."""
    from bot.storage.models import Base
    from bot.storage.session import get_engine

    Base.metadata.create_all(get_engine(url))
    return sorted(Base.metadata.tables)
