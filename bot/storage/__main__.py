"""``python -m bot.storage init``: create the schema (idempotent; ``bot.storage.seed``)."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError

from bot.core.settings import settings_or_exit
from bot.storage.seed import init_db


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.storage", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["init"])
    parser.parse_args(argv)
    url = settings_or_exit().database_url
    try:
        tables = init_db()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"error: cannot open the database at DATABASE_URL ({reason})", file=sys.stderr)
        return 2
    safe_url = url.split("@")[-1] if "@" in url else url
    print(f"database ready at {safe_url}: {len(tables)} tables")
    return 0


if __name__ == "__main__":
    sys.exit(main())
