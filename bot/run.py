"""Start the action server and the Rasa server together; Ctrl-C stops both.

Used by ``make run`` (and ``make shell`` with ``--shell``). Every setting is
exported to the environment first, so endpoints.yml and credentials.yml
resolve their ``${VAR}`` references on a fresh machine with no ``.env``.
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

from bot.settings import ROOT, SettingsError, export_defaults, get_settings

RASA = str(Path(sys.executable).with_name("rasa"))


def rasa_env() -> dict[str, str]:
    export_defaults()
    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def action_server_cmd(port: int) -> list[str]:
    return [RASA, "run", "actions", "--actions", "actions", "--port", str(port)]


def rasa_server_cmd(port: int, model: str = "models", extra: list[str] | None = None) -> list[str]:
    return [
        RASA, "run", "--model", model, "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
        "--port", str(port), *(extra or []),
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


def stop(processes: list[subprocess.Popen]) -> None:
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 15
    for p in processes:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shell", action="store_true", help="chat in the terminal instead of serving HTTP")
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    env = rasa_env()
    processes: list[subprocess.Popen] = []
    # A service manager's stop (SIGTERM) or a closed terminal (SIGHUP) must stop
    # both servers too, not orphan them: treat them like Ctrl-C.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.default_int_handler)
    try:
        print(f"==> action server on http://localhost:{settings.action_port}")
        processes.append(subprocess.Popen(action_server_cmd(settings.action_port), cwd=ROOT, env=env))
        if args.shell:
            shell = [RASA, "shell", "--model", "models", "--endpoints", "endpoints.yml"]
            return subprocess.call(shell, cwd=ROOT, env=env)
        server = subprocess.Popen(rasa_server_cmd(settings.rasa_port), cwd=ROOT, env=env)
        processes.append(server)
        print(f"==> Rasa server on http://localhost:{settings.rasa_port} (loading the model...)")
        if wait_until_ready(f"http://localhost:{settings.rasa_port}/", 180, server):
            print(
                f"==> ready: REST http://localhost:{settings.rasa_port}/webhooks/rest/webhook, "
                f"socket.io on the same port. Ctrl-C stops both servers."
            )
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        failed = [p for p in processes if p.poll() not in (None, 0)]
        if failed:
            print("error: a server stopped unexpectedly; stopping the other one", file=sys.stderr)
            return 1
        return 0
    except KeyboardInterrupt:
        print("\n==> stopping both servers")
        return 0
    finally:
        stop(processes)


if __name__ == "__main__":
    sys.exit(main())
