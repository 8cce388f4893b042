"""What the bot keeps: identifiers redacted before storage, conversations deleted after RETENTION_DAYS.

The privacy answer (``utter_faq/bot_privacy``) promises exactly this, with the
configured number of days, so the code here is what keeps that answer true.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from typing import Any

# E-mail addresses; phone numbers of 7+ digits written with the usual
# separators (short codes such as 988 or 116 123 are helplines, not people);
# long digit runs such as card or account numbers.
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")  # RFC 5322 local parts
_PHONE = re.compile(r"(?<![\w])(?:\+?\d[\d\s().-]{6,}\d)(?![\w])")
REDACTED_EMAIL = "[email removed]"
REDACTED_PHONE = "[number removed]"


def _digits(s: str) -> int:
    return sum(c.isdigit() for c in s)


def redact(text: str) -> str:
    """``text`` with e-mail addresses and phone-like numbers replaced by placeholders."""
    if not text:
        return text
    text = _EMAIL.sub(REDACTED_EMAIL, text)
    return _PHONE.sub(lambda m: REDACTED_PHONE if _digits(m.group(0)) >= 7 else m.group(0), text)


def redact_event(data: dict[str, Any]) -> dict[str, Any]:
    """A serialised Rasa event with the visitor's words redacted (bot texts are ours and stay)."""
    if data.get("event") != "user":
        return data
    data = dict(data)
    if isinstance(data.get("text"), str):
        data["text"] = redact(data["text"])
    parse = data.get("parse_data")
    if isinstance(parse, dict):
        parse = dict(parse)
        if isinstance(parse.get("text"), str):
            parse["text"] = redact(parse["text"])
        parse["entities"] = [
            {**e, "value": redact(e["value"])} if isinstance(e.get("value"), str) else e for e in parse.get("entities") or []
        ]
        data["parse_data"] = parse
    return data


def purge(tracker_db_url: str, retention_days: int, now: float | None = None) -> int:
    """Delete stored conversation events older than ``retention_days``; returns how many."""
    from sqlalchemy import create_engine, inspect, text

    cutoff = (now or time.time()) - retention_days * 86400
    engine = create_engine(tracker_db_url, future=True)
    try:
        if "events" not in inspect(engine).get_table_names():
            return 0
        sqlite = engine.dialect.name == "sqlite"
        with engine.begin() as conn:
            if sqlite:  # deleted text overwritten in the file, whatever this SQLite build's default
                conn.execute(text("PRAGMA secure_delete=ON"))
            deleted = conn.execute(text("DELETE FROM events WHERE timestamp < :cutoff"), {"cutoff": cutoff}).rowcount
        if sqlite and deleted:
            # In WAL mode the deleted pages' old copies stay in the -wal file
            # until a checkpoint: copy back and truncate it now (a busy server
            # may hold it open; the store's own checkpoint then finishes the job).
            with engine.connect() as conn:
                conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        return deleted
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    from bot.core.settings import get_settings

    parser = argparse.ArgumentParser(prog="python -m bot.storage.privacy", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["purge"])
    parser.parse_args(argv)
    settings = get_settings()
    deleted = purge(settings.tracker_store_url, settings.retention_days)
    print(f"deleted {deleted} conversation events older than {settings.retention_days} days")
    return 0


if __name__ == "__main__":
    sys.exit(main())
