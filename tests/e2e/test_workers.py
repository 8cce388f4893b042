"""Two Rasa worker processes behind one port (RASA_WORKERS=2), as `make run` starts them with that setting.

Every request here opens its own connection, so the kernel spreads them over
both workers: a conversation's turns land on either, and concurrent messages
of one conversation reach both at once. They share the SQLite tracker store
and the SQLite lock file.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest

from tests.e2e.conftest import MODEL, ROOT, free_port, rasa_env, terminate
from tests.e2e.test_server import post, texts, wait_ready

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def workers(e2e_dir: Path, seeded_db: str) -> Iterator[tuple[int, Path, subprocess.Popen]]:
    from bot.runtime.run import rasa_server_cmd

    port = free_port()
    tracker_db = e2e_dir / "tracker_workers.db"
    log = e2e_dir / "workers.log"
    env = rasa_env(
        RASA_WORKERS="2",
        ACTION_SERVER_URL=f"http://127.0.0.1:{free_port()}/webhook",  # no action server: not needed here
        DATABASE_URL=seeded_db,
        TRACKER_STORE_DB=str(tracker_db),
        LOCK_STORE_URL=f"sqlite:///{e2e_dir / 'workers_locks.db'}",
    )
    with log.open("w") as out:
        process = subprocess.Popen(rasa_server_cmd(port, str(MODEL)), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_ready(port, process, log)  # one worker answers ...
        wait_all_listening(process, port, 2, log)  # ... and the other has loaded its model too
        yield port, tracker_db, process
    finally:
        terminate(process)


def wait_all_listening(process: subprocess.Popen, port: int, workers: int, log: Path, timeout: float = 240) -> None:
    """Each worker listens on a socket of its own once its model is loaded."""
    import time

    import psutil

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listening = [
            c for c in psutil.Process(process.pid).children()
            if any(k.status == psutil.CONN_LISTEN and k.laddr.port == port for k in c.connections(kind="tcp"))
        ]
        if len(listening) == workers:
            return
        time.sleep(0.5)
    pytest.fail(f"not every worker is listening on {port}:\n{log.read_text()[-3000:]}")


def stored_turns(tracker_db: Path, sender: str) -> list[tuple[str, str, float]]:
    """(kind, text, timestamp) of the user and bot events, in stored order."""
    with sqlite3.connect(tracker_db) as db:
        rows = db.execute(
            "SELECT type_name, data, timestamp FROM events WHERE sender_id = ? AND type_name IN ('user', 'bot') ORDER BY id",
            (sender,),
        ).fetchall()
    return [(kind, json.loads(data).get("text") or "", stamp) for kind, data, stamp in rows]


def test_two_worker_processes_serve_the_port(workers) -> None:
    import psutil

    _, _, process = workers
    children = psutil.Process(process.pid).children()
    assert len(children) == 2, children
    # each holds the model: a worker that failed to load it would be a few hundred MB
    assert all(c.memory_info().rss > 400 * 2**20 for c in children)


def test_a_conversation_keeps_its_context_whichever_worker_takes_a_turn(workers) -> None:
    port, _, _ = workers
    sender = f"ctx-{uuid.uuid4().hex}"
    for _ in range(3):  # several turns, each on a new connection, so both workers take some
        assert "CBT" in texts(post(port, sender, "what is CBT?")[0])
    post(port, sender, "I'm in the UK")
    crisis = texts(post(port, sender, "I want to end my life")[0])
    assert "116 123" in crisis, crisis  # the region said in an earlier turn, on whichever worker


def test_concurrent_messages_of_one_conversation_are_answered_one_whole_turn_at_a_time(workers) -> None:
    port, tracker_db, _ = workers
    sender = f"burst-{uuid.uuid4().hex}"
    questions = {
        "what is CBT?": "CBT", "what is DBT?": "DBT", "what is ACT?": "ACT", "what is psychodynamic therapy?": "sychodynamic",
        "what is interpersonal therapy?": "nterpersonal", "what is supportive therapy?": "upportive",
        "what happens in the first session?": "first visit", "is therapy confidential?": "stays private",
    }
    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        replies = list(pool.map(lambda q: texts(post(port, sender, q, timeout=60)[0]), questions))
    for question, reply in zip(questions, replies, strict=True):
        assert questions[question] in reply, f"{question!r} got {reply[:120]!r}"
    turns = stored_turns(tracker_db, sender)
    users = [i for i, (kind, _, _) in enumerate(turns) if kind == "user"]
    assert sorted(turns[i][1] for i in users) == sorted(questions)  # none lost, none stored twice
    for start, end in zip(users, users[1:] + [len(turns)], strict=True):
        question = turns[start][1]
        answer = " ".join(text for _, text, _ in turns[start + 1:end])
        assert questions[question] in answer, f"turn {question!r} answered {answer[:120]!r}"
    # A whole turn at a time: each turn began (its message logged, inside the
    # lock) only after the previous one had answered. Two workers with locks
    # of their own would store the same events, but overlapping in time.
    for previous_end, start in zip([u - 1 for u in users[1:]], users[1:], strict=True):
        assert turns[start][2] >= turns[previous_end][2], f"turn {turns[start][1]!r} began before the previous one ended"


def test_a_crowd_of_new_connections_is_spread_over_both_workers(workers) -> None:
    """20 visitors connecting at once, each keeping its connection: both workers must take a share.

    With one socket shared by the workers, the first to wake accepted the
    whole burst and kept it (one core saturated, the other idle).
    """
    import http.client
    import socket

    import psutil

    port, _, process = workers
    children = psutil.Process(process.pid).children()
    before = {c.pid: sum(c.cpu_times()[:2]) for c in children}
    # All 20 connections opened back to back, before any worker wakes to accept:
    # the way a browser crowd or an asyncio client's pool arrives.
    conns = []
    for _ in range(20):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        conns.append(conn)

    def visitor(i: int) -> None:
        conn = conns[i]
        for turn in range(6):
            body = json.dumps({"sender": f"crowd-{i}", "message": "what is CBT?" if turn % 2 else "hello"})
            conn.request("POST", "/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
            assert conn.getresponse().read()
        conn.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(visitor, range(20)))
    used = {c.pid: sum(c.cpu_times()[:2]) - before[c.pid] for c in children}
    total = sum(used.values())
    # by address hash: a share under 15% (2 of 20 connections or fewer) has odds of about 1 in 2,500
    assert min(used.values()) >= 0.15 * total, f"CPU seconds per worker during the crowd: {used}"


def test_the_workers_stop_when_the_server_process_is_killed(workers) -> None:
    """Last in this module: it kills the module's server."""
    import signal
    import socket
    import time

    import psutil

    port, _, process = workers
    children = psutil.Process(process.pid).children()
    assert len(children) == 2
    process.send_signal(signal.SIGKILL)  # the OOM killer, or a supervisor giving up
    process.wait(timeout=10)
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"workers left running after the server died: {alive}"
    time.sleep(0.2)
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, "the port still answers"
