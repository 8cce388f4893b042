"""The SQLAlchemy layer against a real SQLite file."""

import subprocess
import sys
from pathlib import Path

import yaml
from sqlalchemy import func, inspect, select

from bot.db.models import CrisisEvent, CrisisResource
from bot.db.repository import HelplineRepository
from bot.db.seed import init_db
from bot.db.session import get_engine, session_factory
from bot.settings import ROOT


def test_schema_is_created_and_helplines_seeded(db_url: str) -> None:
    tables = set(inspect(get_engine(db_url)).get_table_names())
    assert {"regions", "crisis_resources", "crisis_events", "meta"} <= tables
    with session_factory(db_url).begin() as s:
        assert s.scalar(select(func.count()).select_from(CrisisResource)) >= 16


def test_init_is_idempotent(db_url: str) -> None:
    seeded, count = init_db(db_url)
    assert seeded is False
    with session_factory(db_url).begin() as s:
        assert s.scalar(select(func.count()).select_from(CrisisResource)) == count


def test_changed_resources_file_is_reseeded(db_url: str, tmp_path: Path) -> None:
    data = yaml.safe_load((ROOT / "data/resources/helplines.yml").read_text())
    data["regions"]["US"]["resources"] = data["regions"]["US"]["resources"][:1]
    edited = tmp_path / "helplines.yml"
    edited.write_text(yaml.safe_dump(data))
    seeded, _ = init_db(db_url, str(edited))
    assert seeded is True
    with session_factory(db_url).begin() as s:
        assert len(HelplineRepository(s).region("US").helplines) == 1


def test_repository_reads_a_region_and_falls_back_to_international(db_url: str) -> None:
    with session_factory(db_url).begin() as s:
        repo = HelplineRepository(s)
        us = repo.region("us")
        assert us.code == "US" and us.emergency == "911"
        assert any(h.phone == "988" for h in us.helplines)
        assert repo.region("DE").code == "INTL"
        assert repo.region(None).code == "INTL"


def test_crisis_events_hold_no_text(db_url: str) -> None:
    from bot.audit import hash_sender, report, write_event

    write_event("rest", None, "US", "suicide", "detector", "visitor-1", url=db_url)
    with session_factory(db_url).begin() as s:
        row = s.scalars(select(CrisisEvent)).one()
        assert row.sender_hash == hash_sender("visitor-1") and "visitor-1" not in row.sender_hash
        columns = {c.name for c in CrisisEvent.__table__.columns}
        assert not columns & {"text", "message", "sender_id"}
    assert [(c, n) for _, c, n in report(db_url)] == [("suicide", 1)]


def _init_with(url: str) -> subprocess.CompletedProcess:
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, "-m", "bot.db", "init"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


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
