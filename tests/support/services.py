"""The real services some tests need. A missing one fails the test with the line that starts it:
a skipped scale-out test would look like a green run."""

from __future__ import annotations

import pytest

from tests.support.cluster import nginx_binary, reachable

# port -> (service, the command that starts it on these machines)
START = {
    5432: ("PostgreSQL", "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"),
    6379: ("Redis", "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no"),
}


def require_port(port: int) -> None:
    if not reachable(port):
        name, command = START[port]
        pytest.fail(f"{name} is not running on 127.0.0.1:{port}: start it with `{command}`", pytrace=False)


def require_nginx() -> str:
    binary = nginx_binary()
    if not binary:
        pytest.fail("nginx is not installed: run `make browser` (make test installs it)", pytrace=False)
    return binary
