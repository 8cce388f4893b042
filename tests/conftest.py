"""Shared fixtures: a real SQLite file per test, settings pointed at it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.core import wiring

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")


def pytest_configure(config: pytest.Config) -> None:
    """Rasa's structured logger prints every debug event, message text included,
    unless configured; the servers configure it at INFO, tests do the same."""
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))


@pytest.fixture()
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite database file with the schema created."""
    from bot.storage.seed import init_db

    url = f"sqlite:///{tmp_path / 'bot.db'}"
    init_db(url)
    return url


@pytest.fixture()
def use_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the process settings at the per-test database."""

    monkeypatch.setenv("DATABASE_URL", db_url)
    wiring.reload_settings()
    yield db_url
    wiring.reload_settings()


@pytest.fixture(scope="session")
def postgres_running() -> None:
    """Session-scoped so it is checked before any module-scoped cluster starts."""
    from tests.support.services import require_port

    require_port(5432)


@pytest.fixture(scope="session")
def redis_running() -> None:
    from tests.support.services import require_port

    require_port(6379)
