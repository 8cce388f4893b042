"""Start the web page, the action server and the Rasa server together; Ctrl-C stops all.

Used by ``make run`` (and ``make shell`` with ``--shell``). Every setting is
exported to the environment first, so endpoints.yml and credentials.yml
resolve their ``${VAR}`` references on a fresh machine with no ``.env``.

The web page (``bot.runtime.web``) is its own process and starts first: it serves the
widget and the crisis lines while Rasa is still loading its model, and would
go on serving them if Rasa alone were restarted.

The set is supervised (``bot.runtime.supervise``): an action server or web page that
dies is started again with a back-off while Rasa keeps answering (crisis
replies never need either); only the Rasa server's own end stops the set.
The action server and the web page listen on ACTION_HOST and WEB_HOST
(127.0.0.1 unless configured); each server's pid is printed at start.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Optional, Sequence

from bot.core.settings import ROOT, export_defaults, get_settings, settings_or_exit
from bot.runtime.supervise import Service, Supervisor

RASA = str(Path(sys.executable).with_name("rasa"))
# Every Rasa process goes through bot.runtime.rasa_cli: Rasa's crash reporter off, ${VAR} defaults filled.
RASA_CMD = [sys.executable, "-m", "bot.runtime.rasa_cli"]


def rasa_env() -> dict[str, str]:
    export_defaults()
    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    # Rasa's accept queue of 100 overflows in a burst; a dropped connection is retried a
    # second or more later, past the time a crisis reply may take (docs/performance.md).
    env.setdefault("SANIC_BACKLOG", "1024")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def action_server_cmd(port: int) -> list[str]:
    return [*RASA_CMD, "run", "actions", "--actions", "actions", "--port", str(port)]


def web_server_cmd(port: int) -> list[str]:
    return [sys.executable, "-m", "bot.runtime.web", "--port", str(port)]


def rasa_server_cmd(port: int, model: str = "models", extra: list[str] | None = None) -> list[str]:
    settings = get_settings()
    # Rasa's HTTP API (RASA_API_ENABLED) is switched on by bot.runtime.rasa_cli inside the
    # process, with its token from the environment: never on a command line.
    # Browsers may call the REST channel only from the allowed origins (socket.io checks its own).
    cors = ["--cors", *settings.allowed_origins] if settings.allowed_origins else []
    return [
        *RASA_CMD, "run", "--model", model, "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
        "--port", str(port), *cors, *(extra or []),
    ]


def wait_until_ready(url: str, timeout: float, process: subprocess.Popen | None = None) -> bool:
    """Poll ``url`` until it answers 200, the process dies, or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def stop(processes: list[subprocess.Popen], groups: Sequence[subprocess.Popen] = ()) -> None:
    """SIGINT to each process, SIGKILL after 15 s; then nothing left of ``groups`` (started with ``start_new_session``)."""
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 15
    for p in processes:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    for p in groups:
        _end_group(p.pid)


def _end_group(pgid: int, timeout: float = 10.0) -> None:
    """Nothing of a process group started with ``start_new_session`` may outlive ``make run``.

    The Rasa server's workers are its children; they end with it, but a
    moment later (and a stopped parent may not have waited for them).
    """
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return  # all of it is gone already
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shell", action="store_true", help="chat in the terminal instead of serving HTTP")
    args = parser.parse_args(argv)
    settings = settings_or_exit()
    env = rasa_env()
    processes: list[subprocess.Popen] = []
    groups: list[subprocess.Popen] = []  # started in a process group of their own
    # A service manager's stop (SIGTERM) or a closed terminal (SIGHUP) must stop
    # every server too, not orphan them: treat them like Ctrl-C.
    # SIGINT too: started in the background by a script, it arrives ignored.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.default_int_handler)
    supervisor: Optional[Supervisor] = None
    try:
        if args.shell:
            processes.append(subprocess.Popen(action_server_cmd(settings.action_port), cwd=ROOT, env=env))
            shell = [*RASA_CMD, "shell", "--model", "models", "--endpoints", "endpoints.yml"]
            return subprocess.call(shell, cwd=ROOT, env=env)
        supervisor = Supervisor(
            [
                Service("web page", web_server_cmd(settings.web_port)),
                Service("action server", action_server_cmd(settings.action_port)),
                # A process group of its own: the server and its worker processes, ended together.
                Service("Rasa server", rasa_server_cmd(settings.rasa_port), essential=True, own_group=True),
            ],
            ROOT, env,
        )
        web, actions, rasa = supervisor.services
        print(f"==> web page on http://{settings.web_host}:{settings.web_port} (pid {supervisor.start(web).pid})")
        print(f"==> action server on http://{settings.action_host}:{settings.action_port} "
              f"(pid {supervisor.start(actions).pid})")
        server = supervisor.start(rasa)
        print(f"==> Rasa server on http://localhost:{settings.rasa_port} (pid {server.pid}; loading the model...)", flush=True)
        if wait_until_ready(f"http://localhost:{settings.rasa_port}/", 180, server):
            print(
                f"==> ready: chat page http://localhost:{settings.web_port}, "
                f"REST http://localhost:{settings.rasa_port}/webhooks/rest/webhook, "
                f"socket.io on port {settings.rasa_port}. Ctrl-C stops all servers.",
                flush=True,
            )
        return supervisor.run()
    except KeyboardInterrupt:
        print("\n==> stopping the servers")
        return 0
    finally:
        if supervisor is not None:
            processes, groups = supervisor.processes(), supervisor.groups()
        stop(processes, groups)


if __name__ == "__main__":
    sys.exit(main())
