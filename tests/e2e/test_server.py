"""The real servers over HTTP: `bot.runtime.run` (what `make run` starts), and a Rasa
server whose action server is stopped, then hung."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import MODEL, ROOT, free_port, python, rasa_env, terminate

READY_TIMEOUT = 240


def post(port: int, sender: str, message: str, timeout: float = 30) -> tuple[list[dict], float]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read()), time.monotonic() - started


def wait_ready(port: int, process: subprocess.Popen, log: Path) -> None:
    from bot.runtime.run import wait_until_ready

    if not wait_until_ready(f"http://127.0.0.1:{port}/", READY_TIMEOUT, process):
        pytest.fail(f"server on {port} did not start:\n{log.read_text()[-3000:]}")
    # The root answers before the model finished loading; a parse proves it is usable.
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        try:
            messages, _ = post(port, "warmup", "hello")
            if messages:
                return
        except OSError:
            pass
        time.sleep(1)
    pytest.fail(f"server on {port} never answered:\n{log.read_text()[-3000:]}")


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def start_bot_run(e2e_dir: Path, seeded_db: str, name: str, **extra_env: str) -> tuple[int, int, subprocess.Popen]:
    """Start `python -m bot.runtime.run` (what `make run` starts) on free ports and wait until it answers."""
    rasa_port, action_port = free_port(), free_port()
    log = e2e_dir / f"{name}.log"
    env = rasa_env(
        RASA_PORT=str(rasa_port),
        ACTION_PORT=str(action_port),
        ACTION_SERVER_URL=f"http://127.0.0.1:{action_port}/webhook",
        DATABASE_URL=seeded_db,
        TRACKER_STORE_DB=str(e2e_dir / f"tracker_{name}.db"),
        WEB_PORT=str(free_port()),
        **extra_env,
    )
    with log.open("w") as out:
        process = subprocess.Popen([python(), "-m", "bot.runtime.run"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_ready(rasa_port, process, log)
    except BaseException:
        terminate(process)
        raise
    return rasa_port, action_port, process


def assert_closed(*ports: int) -> None:
    for p in ports:
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", p)) != 0, f"port {p} still open after the stop signal"


@pytest.fixture(scope="module")
def stack(e2e_dir: Path, seeded_db: str):
    """The action server and the Rasa server together, as `make run` starts them."""
    rasa_port, action_port, process = start_bot_run(e2e_dir, seeded_db, "bot_run")
    try:
        yield rasa_port, action_port, process
    finally:
        terminate(process)


@pytest.fixture(scope="module")
def lonely_rasa(e2e_dir: Path, seeded_db: str):
    """A Rasa server whose action endpoint points at a port nobody serves (yet)."""
    from bot.runtime.run import rasa_server_cmd

    rasa_port, action_port = free_port(), free_port()
    log = e2e_dir / "lonely.log"
    env = rasa_env(
        ACTION_SERVER_URL=f"http://127.0.0.1:{action_port}/webhook",
        DATABASE_URL=seeded_db,
        TRACKER_STORE_DB=str(e2e_dir / "tracker_lonely.db"),
    )
    with log.open("w") as out:
        process = subprocess.Popen(rasa_server_cmd(rasa_port, str(MODEL)), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_ready(rasa_port, process, log)
        yield rasa_port, action_port
    finally:
        terminate(process)


class HungServer:
    """Accepts connections on a port and never answers: an action server stuck on something."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(50)
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def test_make_run_stack_answers_faq_and_more_helplines(stack) -> None:
    port, _, _ = stack
    messages, _ = post(port, "run-1", "how much does therapy usually cost")
    assert "insurance" in texts(messages).lower()
    messages, _ = post(port, "run-1", "what other helplines are there")
    text = texts(messages)
    assert "988" in text and "Crisis Text Line" in text


def test_crisis_reply_with_the_action_server_stopped(lonely_rasa) -> None:
    port, _ = lonely_rasa
    messages, elapsed = post(port, "stopped-1", "i want to kill myself")
    text = texts(messages)
    assert "988" in text and "911" in text
    assert elapsed < 2.0, f"crisis reply took {elapsed:.2f}s"


def test_crisis_reply_with_a_hung_action_server(lonely_rasa) -> None:
    port, action_port = lonely_rasa
    hung = HungServer(action_port)
    try:
        messages, elapsed = post(port, "hung-1", "im going to end my life tonight")
        assert "988" in texts(messages) and "911" in texts(messages)
        assert elapsed < 2.0, f"crisis reply took {elapsed:.2f}s"
        messages, elapsed = post(port, "hung-1", "what is dbt")
        assert "dbt" in texts(messages).lower() or "dialectical" in texts(messages).lower()
        assert elapsed < 2.0
    finally:
        hung.close()


def test_ctrl_c_stops_both_servers(stack) -> None:
    port, action_port, process = stack
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    assert_closed(port, action_port)


def test_sigterm_stops_both_servers(e2e_dir: Path, seeded_db: str) -> None:
    """A service manager stops the bot with SIGTERM; neither server may be left running."""
    rasa_port, action_port, process = start_bot_run(e2e_dir, seeded_db, "bot_run_term")
    try:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert_closed(rasa_port, action_port)
    finally:
        terminate(process)
