"""`make run`'s launcher (bot.runtime.run) under failure: a killed helper comes back, the crisis reply never stops.

Also its safe defaults: the action server and the web page listen on
127.0.0.1 only, and no secret appears on any process's command line.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, free_port, python, rasa_env, terminate
from tests.e2e.test_server import post, texts, wait_ready

API_TOKEN = "supervision-api-token-0123456789abcdef0123456789"


def listening_addresses(port: int) -> set[str]:
    """The local addresses a socket listens on at ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def pid_of(log: Path, name: str) -> int:
    pids = re.findall(rf"==> {name} .*\(pid (\d+)", log.read_text())
    assert pids, log.read_text()[-2000:]
    return int(pids[-1])


@pytest.fixture(scope="module")
def launched(e2e_dir: Path, seeded_db: str):
    rasa_port, action_port, web_port = free_port(), free_port(), free_port()
    log = e2e_dir / "supervision.log"
    env = rasa_env(
        RASA_PORT=str(rasa_port), ACTION_PORT=str(action_port), WEB_PORT=str(web_port),
        ACTION_SERVER_URL=f"http://127.0.0.1:{action_port}/webhook", DATABASE_URL=seeded_db,
        TRACKER_STORE_DB=str(e2e_dir / "tracker_supervision.db"),
        RASA_API_ENABLED="true", RASA_API_TOKEN=API_TOKEN, RASA_WORKERS="1",
    )
    for name in ("ACTION_HOST", "WEB_HOST"):
        env.pop(name, None)  # the defaults are what is checked
    with log.open("w") as out:
        process = subprocess.Popen([python(), "-m", "bot.runtime.run"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_ready(rasa_port, process, log)
        yield {"process": process, "log": log, "rasa": rasa_port, "action": action_port, "web": web_port}
    finally:
        terminate(process)


def test_helpers_listen_on_this_machine_only_and_no_secret_is_on_a_command_line(launched: dict) -> None:
    import psutil

    deadline = time.monotonic() + 30
    while not (answers(f"http://127.0.0.1:{launched['action']}/health") and answers(f"http://127.0.0.1:{launched['web']}/healthz")):
        assert time.monotonic() < deadline, "the action server or the web page never answered"
        time.sleep(0.5)
    loopback = {"0100007F", "00000000000000000000000001000000"}
    assert listening_addresses(launched["action"]) <= loopback and listening_addresses(launched["action"])
    assert listening_addresses(launched["web"]) <= loopback and listening_addresses(launched["web"])
    processes = [psutil.Process(launched["process"].pid), *psutil.Process(launched["process"].pid).children(recursive=True)]
    for p in processes:
        assert API_TOKEN not in " ".join(p.cmdline()), p.cmdline()
    # ... while the API itself is on, with the token from the environment.
    status = urllib.request.urlopen(f"http://127.0.0.1:{launched['rasa']}/status?token={API_TOKEN}", timeout=10).status
    assert status == 200


def test_a_killed_action_server_is_restarted_and_a_crisis_is_answered_meanwhile(launched: dict) -> None:
    action = pid_of(launched["log"], "action server")
    os.kill(action, signal.SIGKILL)
    killed = time.monotonic()
    messages, took = post(launched["rasa"], f"supervision-crisis-{free_port()}", "i want to kill myself", timeout=10)
    assert "988" in texts(messages) and took < 2.0, (took, messages)
    while not answers(f"http://127.0.0.1:{launched['action']}/health"):
        assert time.monotonic() - killed < 10, "the action server was not back within 10 s:\n" + launched["log"].read_text()[-2000:]
        time.sleep(0.2)
    print(f"crisis answered in {took:.2f} s with the action server dead; it was back after {time.monotonic() - killed:.2f} s")
    assert launched["process"].poll() is None  # the set goes on
    assert "action server started again" in launched["log"].read_text()


def test_a_killed_web_page_is_restarted(launched: dict) -> None:
    os.kill(pid_of(launched["log"], "web page"), signal.SIGKILL)
    time.sleep(0.5)
    deadline = time.monotonic() + 15
    while not answers(f"http://127.0.0.1:{launched['web']}/healthz"):
        assert time.monotonic() < deadline, launched["log"].read_text()[-2000:]
        time.sleep(0.2)
    assert launched["process"].poll() is None


def test_only_the_rasa_servers_end_stops_the_set(launched: dict) -> None:
    import psutil

    launcher = psutil.Process(launched["process"].pid)
    rasa = [p for p in launcher.children() if "bot.runtime.rasa_cli" in " ".join(p.cmdline()) and "actions" not in p.cmdline()]
    assert len(rasa) == 1
    os.killpg(rasa[0].pid, signal.SIGKILL)
    assert launched["process"].wait(timeout=30) == 1
    for port in (launched["action"], launched["web"]):
        deadline = time.monotonic() + 15
        while listening_addresses(port):
            assert time.monotonic() < deadline, f"port {port} still served after Rasa ended"
            time.sleep(0.2)
    assert "stopping the others" in launched["log"].read_text()
