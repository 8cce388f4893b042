"""The bot database's schema and helplines, made ready (idempotent): for ``python -m bot.db init`` and the tests.

Safe to run on every start: tables are created only if missing, and the
helplines are re-seeded only when data/resources/helplines.yml changed (its
SHA-256 is kept in the database's meta table).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from bot.settings import get_settings

SEED_KEY = "helplines_sha256"


def init_db(url: str | None = None, resources_file: str | None = None) -> tuple[bool, int]:
    """Create tables and seed; returns (seeded_now, helpline_count)."""
    from bot.db.models import Base
    from bot.db.repository import HelplineRepository
    from bot.db.session import get_engine, session_factory
    from bot.resources import load_catalogue

    settings = get_settings()
    path = Path(resources_file or settings.resources_file)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    Base.metadata.create_all(get_engine(url))
    with session_factory(url).begin() as session:
        repo = HelplineRepository(session)
        if repo.get_meta(SEED_KEY) == digest:
            from sqlalchemy import func, select

            from bot.db.models import CrisisResource

            return False, session.scalar(select(func.count()).select_from(CrisisResource))
        count = repo.replace_all(load_catalogue(path))
        repo.set_meta(SEED_KEY, digest)
        return True, count
