"""Start the servers to measure, watch their memory, stop them.

The bot is started with bot.runtime.run's own helpers (the commands, environment and
stop that ``make run`` uses), on free ports, with its tracker store
and bot database in a temporary directory: a benchmark must never write into
var/tracker.db or the real audit table. The stock baseline runs the same way
from its cached project directory, with Rasa's defaults (in-memory tracker
store, no action server).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from bot.core.settings import ROOT
from bot.runtime.run import action_server_cmd, rasa_env, rasa_server_cmd, stop

try:
    import psutil
except ImportError:  # pragma: no cover - requirements-dev.txt installs it; /proc alone still works
    psutil = None

READY_TIMEOUT = 300.0
# The stock `rasa` command of this virtualenv (the baseline and training use it as shipped).
RASA = str(Path(sys.executable).with_name("rasa"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def webhook(port: int) -> str:
    return f"http://127.0.0.1:{port}/webhooks/rest/webhook"


def post(port: int, sender: str, text: str, timeout: float = 10.0) -> list[dict]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(webhook(port), data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def _status_kb(pid: int, key: str) -> int:
    """A ``VmHWM``/``VmRSS`` line of /proc/<pid>/status in kB (0 when unreadable)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (psutil when installed, else /proc's children lists)."""
    if psutil is not None:
        try:
            root = psutil.Process(pid)
            return [pid] + [c.pid for c in root.children(recursive=True)]
        except psutil.Error:
            return []
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return found


class MemoryWatch:
    """Peak resident memory of each watched process tree.

    The kernel's high-water mark (VmHWM) catches a peak between two samples,
    such as the model being unpacked at start-up; sampling (every 0.5 s)
    covers children that exit before the end and systems without /proc.
    """

    def __init__(self) -> None:
        self.roots: dict[str, int] = {}
        self.peak_kb: dict[str, dict[int, int]] = {}
        self.now_kb: dict[str, dict[int, int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-watch", daemon=True)
        self._lock = threading.Lock()

    def watch(self, role: str, pid: int) -> None:
        with self._lock:
            self.roots[role] = pid
            self.peak_kb.setdefault(role, {})
            self.now_kb.setdefault(role, {})
        if not self._thread.is_alive():
            self._thread.start()

    def _sample(self) -> None:
        with self._lock:
            for role, root in self.roots.items():
                for pid in process_tree(root):
                    rss = self._rss_kb(pid)
                    kb = max(_status_kb(pid, "VmHWM"), rss)
                    if kb:
                        peaks = self.peak_kb[role]
                        peaks[pid] = max(peaks.get(pid, 0), kb)
                    if rss:
                        self.now_kb[role][pid] = rss

    @staticmethod
    def _rss_kb(pid: int) -> int:
        if psutil is not None:
            try:
                return psutil.Process(pid).memory_info().rss // 1024
            except psutil.Error:
                return 0
        return _status_kb(pid, "VmRSS")

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def report(self) -> dict[str, dict[str, float]]:
        """role -> {peak_mb: the largest single process, tree_mb: the tree's processes summed, processes,
        rss_end_mb: the largest process's resident memory now (the steady state after the load)}."""
        self._sample()
        with self._lock:
            return {
                role: {
                    "peak_mb": round(max(peaks.values(), default=0) / 1024, 1),
                    "tree_mb": round(sum(peaks.values()) / 1024, 1),
                    "processes": len(peaks),
                    "rss_end_mb": round(max(self.now_kb.get(role, {}).values(), default=0) / 1024, 1),
                }
                for role, peaks in self.peak_kb.items()
            }

    def close(self) -> None:
        self._stop.set()


@dataclass
class Stack:
    """A running Rasa server (and, for the bot, its action server)."""

    name: str
    port: int
    rasa: subprocess.Popen
    workdir: Path
    log: Path
    cold_start_s: float = 0.0
    action: Optional[subprocess.Popen] = None
    memory: MemoryWatch = field(default_factory=MemoryWatch)

    @property
    def url(self) -> str:
        return webhook(self.port)

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes()]

    def processes(self) -> list[subprocess.Popen]:
        return [p for p in (self.action, self.rasa) if p is not None]

    def close(self) -> dict[str, dict[str, float]]:
        """Stop the servers (SIGINT, as Ctrl-C on ``make run``) and return their peak memory."""
        report = self.memory.report()
        self.memory.close()
        stop(self.processes())
        return report


def _wait_first_answer(stack: Stack, started: float) -> float:
    """Seconds from ``started`` until the webhook gives a non-empty reply: the cold start."""
    deadline = started + READY_TIMEOUT
    while time.monotonic() < deadline:
        for p in stack.processes():
            if p.poll() is not None:
                raise RuntimeError(f"{stack.name}: a server exited during start-up; see {stack.log}")
        try:
            if post(stack.port, "bench-ready", "hello", timeout=30):
                return time.monotonic() - started
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{stack.name}: no answer within {READY_TIMEOUT:.0f} s; see {stack.log}")


def tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:]
    except OSError:
        return ""


LEVERS_DIR = ROOT / "bench" / "levers"


def endpoints_in_memory(workdir: Path) -> Path:
    """A copy of endpoints.yml without the tracker store, so Rasa uses its in-memory one (a measurement only)."""
    import yaml

    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints.pop("tracker_store", None)
    path = workdir / "endpoints-in-memory.yml"
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False), encoding="utf-8")
    return path


def start_bot(workdir: Path, extra_env: Optional[dict[str, str]] = None, levers: Sequence[str] = (),
              tracker_store: str = "sql", startup_profile: Optional[Path] = None, model: str = "models") -> Stack:
    """The action server and the Rasa server as ``make run`` starts them, on free ports, in ``workdir``.

    ``levers`` (bench/levers/sitecustomize.py) and ``tracker_store="memory"``
    measure proposed changes; without them the servers run exactly as configured.
    ``startup_profile``: py-spy samples the Rasa server from its start to its first answer.
    ``model``: another trained model (e.g. one trained from a proposed config into /tmp).
    """
    from bot.storage.seed import init_db

    workdir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{workdir / 'bot.db'}"
    init_db(database_url)
    rasa_port, action_port = free_port(), free_port()
    env = rasa_env()
    env.update(
        RASA_PORT=str(rasa_port),
        ACTION_PORT=str(action_port),
        ACTION_SERVER_URL=f"http://127.0.0.1:{action_port}/webhook",
        DATABASE_URL=database_url,
        TRACKER_STORE_DB=str(workdir / "tracker.db"),
        # Set here so nothing is created under var/ (bot.core.settings.local_secret would write one there).
        AUDIT_SALT=secrets.token_hex(16),
        SESSION_SECRET=secrets.token_hex(32),
    )
    env.update(extra_env or {})
    if levers:
        env["BENCH_LEVERS"] = ",".join(levers)
        env["PYTHONPATH"] = os.pathsep.join([str(LEVERS_DIR), env.get("PYTHONPATH", "")])
    extra = ["--endpoints", str(endpoints_in_memory(workdir))] if tracker_store == "memory" else []
    log = workdir / "servers.log"
    out = log.open("w")
    action = subprocess.Popen(action_server_cmd(action_port), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    started = time.monotonic()
    # A second --endpoints (memory tracker store) overrides the first: argparse keeps the last.
    rasa = subprocess.Popen(rasa_server_cmd(rasa_port, model=model, extra=extra), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    out.close()
    stack = Stack("bot", rasa_port, rasa, workdir, log, action=action)
    stack.memory.watch("rasa", rasa.pid)
    stack.memory.watch("actions", action.pid)
    spy = None
    if startup_profile is not None:
        from bench.hotspots import start_recording

        spy = start_recording(rasa.pid, READY_TIMEOUT, startup_profile, rate=50)
    try:
        stack.cold_start_s = _wait_first_answer(stack, started)
    except BaseException:
        stack.close()
        raise
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)  # py-spy writes what it has on Ctrl-C
            try:
                spy.wait(timeout=30)
            except subprocess.TimeoutExpired:
                spy.kill()
    return stack


def start_baseline(project: Path, model: Path, workdir: Path) -> Stack:
    """The stock ``rasa init`` bot: Rasa's default config, in-memory tracker store, no action server."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3", SQLALCHEMY_SILENCE_UBER_WARNING="1")
    log = workdir / "baseline.log"
    cmd = [RASA, "run", "--model", str(model), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml", "--port", str(port)]
    with log.open("w") as out:
        started = time.monotonic()
        rasa = subprocess.Popen(cmd, cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT)
    stack = Stack("baseline", port, rasa, workdir, log)
    stack.memory.watch("rasa", rasa.pid)
    try:
        stack.cold_start_s = _wait_first_answer(stack, started)
    except BaseException:
        stack.close()
        raise
    return stack

