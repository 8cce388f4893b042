"""Keeping ``make run``'s servers up: a crashed helper is restarted, only Rasa's own end stops the set.

The crisis reply comes from the Rasa process alone (docs/crisis-protocol.md):
it never waits on the action server, and the web page only serves the
widget and the crisis lines. So when the action server or the web page
dies, Rasa must go on answering while the dead one is started again; and
stopping everything then (as ``bot.runtime.run`` used to) would take the crisis
reply down with a helper that it does not need.

- a helper (action server, web page) that ends for any reason is started
  again after a back-off of 0.5, 1, 2, 4, 8, then 15 seconds; the back-off
  starts over once it has stayed up for a minute, so a helper that keeps
  crashing on start is retried calmly rather than in a tight loop;
- the essential process (the Rasa server) ending stops the set, with its
  exit status: without it there is nothing to answer anyone.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
# After this long up, a helper's next crash is treated as its first.
STABLE_SECONDS = 60.0
POLL_SECONDS = 0.2


@dataclass
class Service:
    """One server of the set: how to start it, and whether its end ends the set."""

    name: str
    cmd: Sequence[str]
    essential: bool = False
    own_group: bool = False  # started in a process group of its own (the Rasa server and its workers)
    process: Optional[subprocess.Popen] = None
    started_at: float = 0.0
    crashes: int = 0
    restart_at: Optional[float] = None
    restarts: int = 0

    def backoff(self) -> float:
        return BACKOFF_SECONDS[min(self.crashes, len(BACKOFF_SECONDS)) - 1]


class Supervisor:
    """Starts the services, restarts the helpers that end, and returns when an essential one ends."""

    def __init__(
        self, services: Sequence[Service], cwd: Path, env: dict[str, str],
        say: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
    ) -> None:
        self.services = list(services)
        self.cwd, self.env, self.say = cwd, env, say

    def start(self, service: Service) -> subprocess.Popen:
        service.process = subprocess.Popen(
            list(service.cmd), cwd=self.cwd, env=self.env, start_new_session=service.own_group
        )
        service.started_at = time.monotonic()
        service.restart_at = None
        return service.process

    def processes(self) -> list[subprocess.Popen]:
        return [s.process for s in self.services if s.process is not None]

    def groups(self) -> list[subprocess.Popen]:
        return [s.process for s in self.services if s.process is not None and s.own_group]

    def check(self, now: Optional[float] = None) -> Optional[int]:
        """One round: restarts what is due; the exit status when an essential service has ended, else None."""
        now = time.monotonic() if now is None else now
        for service in self.services:
            process = service.process
            if process is None or service.restart_at is not None:
                if service.restart_at is not None and now >= service.restart_at:
                    service.restarts += 1
                    self.start(service)
                    self.say(f"==> {service.name} started again (pid {service.process.pid})")  # type: ignore[union-attr]
                continue
            code = process.poll()
            if code is None:
                continue
            if service.essential:
                self.say(f"error: the {service.name} stopped (exit status {code}); stopping the others")
                return 0 if code == 0 else 1
            if now - service.started_at >= STABLE_SECONDS:
                service.crashes = 0
            service.crashes += 1
            service.restart_at = now + service.backoff()
            self.say(
                f"warning: the {service.name} stopped (exit status {code}); "
                f"starting it again in {service.backoff():g} s (the chat keeps answering)"
            )
        return None

    def run(self) -> int:
        """Check until an essential service ends; Ctrl-C (KeyboardInterrupt) passes through to the caller."""
        while True:
            code = self.check()
            if code is not None:
                return code
            time.sleep(POLL_SECONDS)
