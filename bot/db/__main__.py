"""``python -m bot.db init``: create the schema and seed the helplines (idempotent).

Safe to run on every start: tables are created only if missing, and the
helplines are re-seeded only when data/resources/helplines.yml changed.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.settings import SettingsError, get_settings

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.db", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["init"])
    parser.parse_args(argv)
    try:
        url = get_settings().database_url
        seeded, count = init_db()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"error: cannot open the database at DATABASE_URL ({reason})", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"error: helplines file not found: {exc.filename}", file=sys.stderr)
        return 2
    safe_url = url.split("@")[-1] if "@" in url else url
    print(f"database ready at {safe_url}: {count} helplines" + (" (seeded now)" if seeded else " (unchanged)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
