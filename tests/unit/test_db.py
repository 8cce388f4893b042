"""The SQLAlchemy layer against a real SQLite file."""

import subprocess
import sys

from sqlalchemy import func, inspect, select

from bot.core.settings import ROOT
from bot.storage.audit import write_event
from bot.storage.models import CrisisEvent
from bot.storage.seed import init_db
from bot.storage.session import get_engine, session_factory


def test_schema_is_created_and_holds_no_helplines(db_url: str) -> None:
    # Helplines have one source, data/resources/helplines.yml; the database keeps no copy to go stale.
    tables = set(inspect(get_engine(db_url)).get_table_names())
    assert {"crisis_events", "tenants", "tenant_daily_counts", "platform_deliveries"} <= tables
    assert not tables & {"regions", "crisis_resources", "meta"}


def test_init_is_idempotent(db_url: str) -> None:
    write_event("rest", None, "US", "suicide", "model", "visitor-1", url=db_url)
    assert init_db(db_url) == init_db(db_url)
    with session_factory(db_url).begin() as s:
        assert s.scalar(select(func.count()).select_from(CrisisEvent)) == 1


def test_crisis_events_hold_no_text(db_url: str) -> None:
    from bot.storage.audit import hash_sender, report, write_event

    write_event("rest", None, "US", "suicide", "detector", "visitor-1", url=db_url)
    with session_factory(db_url).begin() as s:
        row = s.scalars(select(CrisisEvent)).one()
        assert row.sender_hash == hash_sender("visitor-1") and "visitor-1" not in row.sender_hash
        columns = {c.name for c in CrisisEvent.__table__.columns}
        assert not columns & {"text", "message", "sender_id"}
    assert [(c, n) for _, c, n in report(db_url)] == [("suicide", 1)]


def _init_with(url: str) -> subprocess.CompletedProcess:
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, "-m", "bot.storage", "init"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_bad_database_url_gives_one_clear_line() -> None:
    result = _init_with("not a url at all")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert result.stderr.startswith("error: DATABASE_URL")


def test_unreachable_database_gives_one_clear_line() -> None:
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    result = _init_with("postgresql://nobody@127.0.0.1:1/nothing")
    assert result.returncode == 2, result.stdout
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert result.stderr.startswith("error: cannot open the database")
