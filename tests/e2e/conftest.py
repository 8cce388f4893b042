"""End-to-end fixtures: the trained model in process, and real servers over HTTP."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

import pytest

from bot.core import wiring
from tests.support.platforms import READY_TIMEOUT, FakePlatforms, rest, server_env

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "therapy.tar.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session", autouse=True)
def shedding_for_a_busy_test_machine() -> Any:
    """Servers started here shed only when their loop runs five seconds late, not the default 100 ms.

    The suite shares two cores with its own servers and browser; a burst that a
    test sends on purpose must be answered, not turned into busy replies. Shedding
    itself is tested with tight limits (test_adversarial.py) and, at three times
    the measured capacity, by ``make bench``.
    """
    previous = os.environ.get("SHED_MAX_WAIT_MS")
    os.environ.setdefault("SHED_MAX_WAIT_MS", "5000")
    yield
    if previous is None:
        os.environ.pop("SHED_MAX_WAIT_MS", None)


@pytest.fixture(scope="session")
def e2e_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def seeded_db(e2e_dir: Path) -> str:
    from bot.storage.seed import init_db

    url = f"sqlite:///{e2e_dir / 'bot.db'}"
    init_db(url)
    return url


@pytest.fixture(scope="session")
def agent(e2e_dir: Path, seeded_db: str):
    """The trained model loaded with the project's endpoints; no action server is running."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test does it)")
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints

    from bot.core.settings import export_defaults
    from bot.runtime.patches import apply

    apply()  # what every Rasa server process runs (bot.runtime.rasa_cli)
    os.environ["TRACKER_STORE_DB"] = str(e2e_dir / "tracker.db")
    os.environ["DATABASE_URL"] = seeded_db
    os.environ["ACTION_SERVER_URL"] = f"http://127.0.0.1:{free_port()}/webhook"  # nothing listens there
    wiring.reload_settings()
    export_defaults()
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    return asyncio.run(load_agent(model_path=str(MODEL), endpoints=endpoints))


class Chat:
    """One visitor's conversation with the in-process agent."""

    def __init__(self, agent, sender: str, metadata: Optional[dict] = None) -> None:
        self.agent, self.sender, self.metadata = agent, sender, metadata

    def say(self, text: str) -> list[dict[str, Any]]:
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

        out = CollectingOutputChannel()
        message = UserMessage(text, out, self.sender, input_channel="rest", metadata=self.metadata)
        asyncio.run(self.agent.handle_message(message))
        return out.messages

    def text(self, text: str) -> str:
        return "\n".join(m.get("text") or "" for m in self.say(text))

    def tracker(self):
        return asyncio.run(self.agent.tracker_store.retrieve(self.sender))


@pytest.fixture()
def chat(agent, request: pytest.FixtureRequest):
    def make(metadata: Optional[dict] = None) -> Chat:
        return Chat(agent, f"{request.node.name}-{free_port()}", metadata)

    return make


def rasa_env(**overrides: str) -> dict[str, str]:
    from bot.core.settings import export_defaults

    export_defaults()  # every ${VAR} in endpoints.yml / credentials.yml resolves
    env = dict(os.environ)
    env.update({"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)})
    env.update(overrides)
    return env


def python() -> str:
    return sys.executable


def terminate(process: subprocess.Popen, timeout: float = 20) -> int:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


# Words the tests send as visitors. None may appear in any server log or in the
# log records of this process at the levels a deployment uses (INFO and up):
# conversations are mental-health data.
CANARIES = ("kill myself", "end my life", "what is cbt", "zebra-canary", "secret words")


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.lines: list[str] = []

    def emit(self, record) -> None:  # noqa: ANN001 - logging's own signature
        try:
            self.lines.append(record.getMessage())
        except Exception:  # noqa: BLE001 - a broken record is not a leak
            pass


@pytest.fixture(scope="session", autouse=True)
def no_message_text_in_any_log(tmp_path_factory: pytest.TempPathFactory):
    recorder = _Recorder()
    logging.getLogger().addHandler(recorder)
    yield
    logging.getLogger().removeHandler(recorder)
    leaks = [f"log record: {line[:120]!r}" for line in recorder.lines if any(c in line.lower() for c in CANARIES)]
    for path in Path(tmp_path_factory.getbasetemp()).rglob("*.log"):
        text = path.read_text(errors="replace").lower()
        leaks += [f"{path.name}: {c!r}" for c in CANARIES if c in text]
    assert not leaks, "message text reached a log:\n" + "\n".join(leaks[:20])


# --- the messaging platforms (tests/e2e/test_platforms_*.py) -----------------------------------


@pytest.fixture(scope="session")
def fake() -> FakePlatforms:
    """The messaging platforms' side: records what the bot sends out."""
    platforms = FakePlatforms().start()
    yield platforms
    platforms.stop()


@pytest.fixture(scope="session")
def platform_tenant(seeded_db: str) -> str:
    """An EAP organisation in the server's database, for the REST token tests."""
    from bot.storage.session import session_factory
    from bot.tenants.model import make_tenant
    from bot.tenants.repository import TenantRepository

    slug = "platforms-e2e"
    with session_factory(seeded_db).begin() as s:
        TenantRepository(s).save(make_tenant(slug, "Platform Test Co", "+1 800 555 0199", eap_hours="24/7"))
    return slug


@pytest.fixture(scope="session")
def platform_server(fake: FakePlatforms, platform_tenant: str, e2e_dir: Path, seeded_db: str) -> int:
    """One Rasa server for every platform test, each platform's variables set to test values (tests/support/platforms.py)."""
    from bot.runtime.run import rasa_server_cmd, wait_until_ready

    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test does it)")
    port = free_port()
    log = e2e_dir / "platforms.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            rasa_server_cmd(port, str(MODEL)), cwd=ROOT, env=server_env(fake, e2e_dir, seeded_db),
            stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        if not wait_until_ready(f"http://127.0.0.1:{port}/", READY_TIMEOUT, process):
            pytest.fail(f"server did not start:\n{log.read_text()[-3000:]}")
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:  # the root answers before the model is loaded
            try:
                status, messages = rest(port, {"sender": "platforms-warmup", "message": "hello"})
                if status == 200 and messages:
                    break
            except OSError:
                pass
            time.sleep(1)
        else:
            pytest.fail(f"server never answered:\n{log.read_text()[-3000:]}")
        yield port
    finally:
        terminate(process)
        text = log.read_text()
        # Conversations are mental-health data: no test message may reach the log.
        for secret_text in ("kill myself", "what is cbt"):
            assert secret_text not in text.lower(), f"message text {secret_text!r} was logged"
        assert "Traceback" not in text, text[-3000:]
