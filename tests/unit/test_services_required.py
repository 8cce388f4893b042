"""A test that needs PostgreSQL, Redis or nginx fails with the line that starts it, never skips."""

from __future__ import annotations

import pytest

from tests.support import services


def test_a_missing_service_fails_with_the_command_that_starts_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "reachable", lambda port: False)
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL is not running.*pg_ctlcluster"):
        services.require_port(5432)
    with pytest.raises(pytest.fail.Exception, match="Redis is not running.*redis-server"):
        services.require_port(6379)
    monkeypatch.setattr(services, "nginx_binary", lambda: None)
    with pytest.raises(pytest.fail.Exception, match="make browser"):
        services.require_nginx()


def test_running_services_pass(postgres_running: None, redis_running: None) -> None:
    assert services.reachable(5432) and services.reachable(6379)
