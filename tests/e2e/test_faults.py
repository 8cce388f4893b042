"""One Rasa server whose PostgreSQL and Redis go away and come back.

The server reaches both through forwarders that the test cuts and restores,
so from its side the outages are real (refused connections, dropped
sockets), while the shared services stay up for everyone else. Checked: the
server starts with the database down, crisis and FAQ replies keep coming,
the readiness check goes red and green again, each outage is logged once
without message text, and nothing is lost once the database is back.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest
from rasa.shared.core.events import UserUttered

from tests.e2e.conftest import ROOT, rasa_env, terminate
from tests.e2e.test_server import post, texts
from tests.support.cluster import admin, free_port
from tests.support.proxy import CuttableProxy

pytestmark = [pytest.mark.usefixtures("postgres_running", "redis_running")]
CANARY = "zebra-canary-7731"


def ready(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/webhooks/health/ready", timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def wait_for(predicate, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


class Server:
    def __init__(self, workdir: Path) -> None:
        self.db = f"therapy_faults_{uuid.uuid4().hex[:10]}"
        self.pg = CuttableProxy(5432)
        self.redis = CuttableProxy(6379)
        self.port = free_port()
        self.log = workdir / "rasa.log"
        self.url = f"postgresql://postgres@127.0.0.1:5432/{self.db}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        from bot.runtime.run import rasa_server_cmd
        from bot.storage.seed import init_db
        from tests.support.cluster import answered

        admin(f"CREATE DATABASE {self.db}")
        init_db(self.url)
        self.redis.start()  # the database stays cut: the server must start without it
        env = rasa_env(
            DATABASE_URL=self.url,
            TRACKER_STORE_URL=f"postgresql://postgres@127.0.0.1:{self.pg.port}/{self.db}",
            LOCK_STORE_URL=f"redis://127.0.0.1:{self.redis.port}/4",
            AUDIT_SALT=uuid.uuid4().hex * 2, SESSION_SECRET=uuid.uuid4().hex * 2,  # required with a shared store
            ACTION_SERVER_URL=f"http://127.0.0.1:{free_port()}/webhook",
            # One process: what it holds during an outage is what these tests check.
            RASA_WORKERS="1",
        )
        with self.log.open("w") as out:
            self.process = subprocess.Popen(rasa_server_cmd(self.port), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        if not wait_for(lambda: answered(self.port) or self.process.poll() is not None, 300) or self.process.poll() is not None:
            pytest.fail(f"server did not start with the database down:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process:
            terminate(self.process)
        self.pg.cut()
        self.redis.cut()
        from bot.storage.session import get_engine

        get_engine(self.url).dispose()
        admin(f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)")

    def stored_user_texts(self, sender: str) -> list[str]:
        import asyncio

        from rasa.shared.core.domain import Domain

        from bot.storage.tracker_store import PrivateSQLTrackerStore

        store = PrivateSQLTrackerStore(domain=Domain.empty(), database_url=self.url, retention_job=False)
        try:
            tracker = asyncio.run(store.retrieve_full_tracker(sender))
        finally:
            store.close()
        return [e.text for e in tracker.events if isinstance(e, UserUttered)] if tracker else []


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = Server(tmp_path_factory.mktemp("faults"))
    try:
        s.start()
        yield s
    finally:
        s.stop()


def test_started_without_the_database_it_answers_and_says_not_ready(server: Server) -> None:
    status, body = ready(server.port)
    assert status == 503 and body["tracker_store"] == "down" and body["model"] == "ok"
    sender = f"cold-{uuid.uuid4().hex}"
    messages, elapsed = post(server.port, sender, f"I want to kill myself {CANARY}")
    assert "988" in texts(messages) and elapsed < 10
    assert "CBT" in texts(post(server.port, sender, "what is CBT?")[0])
    server.pg.start()
    assert wait_for(lambda: ready(server.port)[0] == 200, 30), ready(server.port)
    assert wait_for(lambda: server.stored_user_texts(sender) == [f"I want to kill myself {CANARY}", "what is CBT?"], 30)


def test_a_database_restart_under_load_loses_nothing(server: Server) -> None:
    if not server.pg.up:
        server.pg.start()
    senders = [f"load-{i}-{uuid.uuid4().hex[:8]}" for i in range(6)]
    sent: dict[str, list[str]] = {s: [] for s in senders}

    def converse(sender: str, rounds: int) -> None:
        for i in range(rounds):
            text = ["what is CBT?", "what is DBT?", "I want to end my life", "how much does therapy cost?"][i % 4]
            reply = texts(post(server.port, sender, text)[0])
            assert reply, f"no reply to {text!r}"
            if "end my life" in text:
                assert "988" in reply
            sent[sender].append(text)

    with ThreadPoolExecutor(max_workers=len(senders)) as pool:
        list(pool.map(lambda s: converse(s, 2), senders))
        server.pg.cut()  # the database goes away mid-conversation ...
        list(pool.map(lambda s: converse(s, 2), senders))
        assert ready(server.port)[0] == 503
        server.pg.restore()  # ... and comes back
        list(pool.map(lambda s: converse(s, 2), senders))
    assert wait_for(lambda: ready(server.port)[0] == 200, 30)
    for sender in senders:
        assert wait_for(lambda s=sender: server.stored_user_texts(s) == sent[s], 30), (sender, server.stored_user_texts(sender))


def test_redis_down_turns_still_answered_and_readiness_red(server: Server) -> None:
    if not server.pg.up:
        server.pg.start()
    server.redis.cut()
    try:
        sender = f"redis-{uuid.uuid4().hex}"
        assert "988" in texts(post(server.port, sender, "I want to die")[0])
        status, body = ready(server.port)
        assert status == 503 and body["lock_store"] == "down"
    finally:
        server.redis.restore()
    assert wait_for(lambda: ready(server.port)[0] == 200, 30)


def test_each_outage_is_logged_once_and_without_message_text(server: Server) -> None:
    log = server.log.read_text(errors="replace")
    assert CANARY not in log
    assert 1 <= log.count("tracker store unavailable") <= 2  # at start, and the restart under load
    assert log.count("lock store (Redis) unavailable") == 1
    assert "Traceback" not in log
