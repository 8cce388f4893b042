"""A local multi-instance deployment: N Rasa servers and one action server
sharing a fresh PostgreSQL database and Redis, behind deploy/nginx.conf.

Used by the scale-out, fault and adversarial tests and by ``make soak``
(``bench/soak.py``): test machinery, so it lives with the tests and the
benchmarks borrow it, never the other way round. Everything it creates (the
database, temp files, processes) is removed by ``stop()``.
"""

from __future__ import annotations

import functools
import shutil
import socket
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Optional

from bot.core.settings import ROOT
from bot.runtime.run import action_server_cmd, rasa_env, rasa_server_cmd

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/4"
READY_TIMEOUT = 300.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def reachable(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def admin(sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(PG_ADMIN)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def nginx_binary() -> Optional[str]:
    """Debian puts nginx in /usr/sbin, which is not on every user's PATH."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None


def nginx_conf(workdir: Path, rasa_ports: list[int], web_port: int) -> tuple[Path, int]:
    """deploy/nginx.conf with this run's ports: the very file a deployment uses."""
    port = free_port()
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    conf = conf.replace("127.0.0.1:5005", f"127.0.0.1:{rasa_ports[0]}").replace("127.0.0.1:5006", f"127.0.0.1:{rasa_ports[1]}")
    conf = conf.replace("127.0.0.1:8080", f"127.0.0.1:{web_port}").replace("listen 8000;", f"listen 127.0.0.1:{port};")
    path = workdir / "nginx.conf"
    path.write_text(conf)
    return path, port


def answered(port: int) -> bool:
    import json

    body = json.dumps({"sender": f"warmup-{uuid.uuid4().hex}", "message": "hello"}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return bool(json.loads(response.read()))
    except (OSError, ValueError):
        return False


@functools.lru_cache(maxsize=1)
def domain():  # noqa: ANN201 - rasa's Domain, imported lazily
    """The project's domain (slots included), loaded once: reading a tracker back needs it."""
    from rasa.shared.importers.importer import TrainingDataImporter

    return TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")]
    ).get_domain()


class Cluster:
    def __init__(self, workdir: Path, servers: int = 2, extra_env: Optional[dict[str, str]] = None) -> None:
        self.db = f"therapy_cluster_{uuid.uuid4().hex[:10]}"
        self.url = f"postgresql://postgres@127.0.0.1:5432/{self.db}"
        self.workdir = workdir
        self.names = [chr(ord("a") + i) for i in range(servers)]
        self.processes: dict[str, subprocess.Popen] = {}
        self.ports: dict[str, int] = {"actions": free_port()}
        self.env = rasa_env()
        self.env.update(
            DATABASE_URL=self.url,
            TRACKER_STORE_URL=self.url,
            LOCK_STORE_URL=REDIS_URL,
            # One process per server: each "server" here stands for an instance
            # behind the proxy, and a SIGKILL must take the whole instance down.
            RASA_WORKERS="1",
            ACTION_SERVER_URL=f"http://127.0.0.1:{self.ports['actions']}/webhook",
            SESSION_SECRET=uuid.uuid4().hex * 2,
            AUDIT_SALT=uuid.uuid4().hex * 2,
            **(extra_env or {}),
        )

    def create_database(self) -> None:
        from bot.storage.seed import init_db

        admin(f"CREATE DATABASE {self.db}")
        init_db(self.url)

    def _spawn(self, name: str, cmd: list[str]) -> None:
        log = (self.workdir / f"{name}.log").open("w")
        self.processes[name] = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start(self) -> None:
        self._spawn("actions", action_server_cmd(self.ports["actions"]))
        for name in self.names:
            self.ports[name] = free_port()
            self._spawn(name, rasa_server_cmd(self.ports[name]))
        deadline = time.monotonic() + READY_TIMEOUT
        for name in self.names:
            while not answered(self.ports[name]):
                if self.processes[name].poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server {name} did not start:\n{self.log(name)[-3000:]}")
                time.sleep(1)
        nginx = nginx_binary()
        if nginx and len(self.names) >= 2:
            conf, self.ports["proxy"] = nginx_conf(self.workdir, [self.ports[n] for n in self.names[:2]], free_port())
            self._spawn("proxy", [
                nginx, "-p", str(self.workdir), "-c", str(conf),
                "-g", f"daemon off; pid {self.workdir}/nginx.pid; error_log stderr;",
            ])
            deadline = time.monotonic() + 10
            while not reachable(self.ports["proxy"]) and time.monotonic() < deadline:
                time.sleep(0.1)

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def tracker(self, sender: str, full: bool = True):
        import asyncio

        from bot.storage.tracker_store import PrivateSQLTrackerStore

        store = PrivateSQLTrackerStore(domain=domain(), database_url=self.url, retention_job=False)
        try:
            return asyncio.run(store.retrieve_full_tracker(sender) if full else store.retrieve(sender))
        finally:
            store.close()

    def stop(self) -> None:
        for p in self.processes.values():
            if p.poll() is None:
                p.terminate()
        for p in self.processes.values():
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        from bot.storage.session import get_engine

        get_engine(self.url).dispose()
        admin(f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)")
