"""The web widget's end-to-end stack and browser, for tests/e2e/test_widget_browser.py.

All three servers (the page from ``bot.runtime.web``, the action server and
the Rasa server with the trained model) start with ``bot.runtime.run``'s
commands on free ports; Debian's chromium is driven by Playwright; a plain
socket.io client tests the channel without a browser. The fixtures are
module-scoped: the test module imports them, and its last tests stop Rasa.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import secrets
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

from tests.e2e.conftest import MODEL, ROOT, free_port, rasa_env, terminate

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
SCREENSHOTS = ROOT / "tests" / "screenshots"
READY_TIMEOUT = 240
WAIT_MS = 15_000  # one bot turn, with room for a busy 2-core machine
TENANT_SLUG = "widget-test"
TENANT_PHONE = "+1 800 555 0199"
TENANT_COLOUR = "#6a1b4d"
JWT_SECRET = secrets.token_hex(24)


@dataclass
class Stack:
    web_port: int
    rasa_port: int
    tracker_db: Path
    rasa: subprocess.Popen
    log: Path
    others: list[subprocess.Popen]

    @property
    def page_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}/"

    @property
    def chat_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"


def tenant_database(folder: Path) -> str:
    """A database of its own (the shared one belongs to other tests), with one EAP tenant."""
    from bot.storage.seed import init_db
    from bot.storage.session import session_factory
    from bot.tenants.model import make_tenant
    from bot.tenants.repository import TenantRepository

    url = f"sqlite:///{folder / 'widget_bot.db'}"
    init_db(url)
    tenant = make_tenant(
        TENANT_SLUG, "Widget Test Ltd", TENANT_PHONE, display_name="Widget Test Co", eap_hours="24/7",
        primary_colour=TENANT_COLOUR,
    )
    with session_factory(url).begin() as session:
        TenantRepository(session).save(tenant)
    return url


@pytest.fixture(scope="module")
def stack(e2e_dir: Path) -> Iterator[Stack]:
    """All three servers, started together; Rasa is NOT waited for here (see `ready`)."""
    from bot.runtime.run import action_server_cmd, rasa_server_cmd, web_server_cmd

    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test does it)")
    web_port, rasa_port, action_port = free_port(), free_port(), free_port()
    tracker_db = e2e_dir / "tracker_widget.db"
    env = rasa_env(
        WEB_PORT=str(web_port),
        RASA_PORT=str(rasa_port),
        ACTION_PORT=str(action_port),
        ACTION_SERVER_URL=f"http://127.0.0.1:{action_port}/webhook",
        ALLOWED_ORIGINS=f"http://127.0.0.1:{web_port}",
        SESSION_SECRET=secrets.token_hex(32),
        TENANT_JWT_SECRET=JWT_SECRET,
        DATABASE_URL=tenant_database(e2e_dir),
        TRACKER_STORE_DB=str(tracker_db),
    )
    log = e2e_dir / "widget_servers.log"
    out = log.open("w")
    rasa = subprocess.Popen(rasa_server_cmd(rasa_port, str(MODEL)), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    others = [
        subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        for cmd in (web_server_cmd(web_port), action_server_cmd(action_port))
    ]
    try:
        yield Stack(web_port, rasa_port, tracker_db, rasa, log, others)
    finally:
        for p in (rasa, *others):
            terminate(p)
        out.close()


@pytest.fixture(scope="module")
def ready(stack: Stack) -> Stack:
    """The stack once Rasa answers a message (its root answers before the model is loaded)."""
    from bot.runtime.run import wait_until_ready

    if not wait_until_ready(stack.chat_url + "/", READY_TIMEOUT, stack.rasa):
        pytest.fail(f"the Rasa server did not start:\n{stack.log.read_text()[-3000:]}")
    body = json.dumps({"sender": "widget-warmup", "message": "hello"}).encode()
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        request = urllib.request.Request(
            stack.chat_url + "/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                if json.loads(response.read()):
                    return stack
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"the Rasa server never answered:\n{stack.log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def web(stack: Stack) -> Stack:
    """The stack once the web server answers (in about a second; Rasa takes a minute)."""
    from bot.runtime.run import wait_until_ready

    if not wait_until_ready(stack.page_url + "healthz", 30, stack.others[0]):
        pytest.fail(f"the web server did not start:\n{stack.log.read_text()[-3000:]}")
    return stack


@pytest.fixture(scope="module")
def browser(web: Stack):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (make test-e2e does it)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def page_at(browser):
    """``page_at(url, width=..., locale=..., init_script=...)``: a fresh visitor (own storage) on a page."""
    contexts = []

    def open_page(url: str, width: int = 1024, locale: str = "en-US", init_script: Optional[str] = None):
        context = browser.new_context(viewport={"width": width, "height": 760}, locale=locale)
        contexts.append(context)
        if init_script:
            context.add_init_script(init_script)
        page = context.new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.goto(url)
        page.wait_for_selector(".tc-widget")
        return page

    yield open_page
    for context in contexts:
        context.close()


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"widget-{name}.png"))


def ask(page: Any, text: str) -> None:
    """Type a message and send it with Enter, as a visitor does."""
    page.locator("#tc-input").fill(text)
    page.locator("#tc-input").press("Enter")


def bot_bubbles(page: Any):
    return page.locator(".tc-log .tc-bot")


def fetch(url: str, headers: Optional[dict] = None, method: str = "GET") -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()




def user_metadata(tracker_db: Path, sender: str, timeout: float = 10) -> list[dict]:
    """The metadata of the visitor's stored messages (Rasa saves the turn just after replying)."""
    deadline = time.monotonic() + timeout
    while True:
        with sqlite3.connect(tracker_db) as db:
            rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)).fetchall()
        if rows or time.monotonic() > deadline:
            return [json.loads(data).get("metadata") or {} for (data,) in rows]
        time.sleep(0.2)






class Client:
    """A Socket.IO client over a WebSocket, as the widget connects.

    Written on ``websockets`` (Engine.IO 4 framing: "0" open, "40" connect,
    "42" event, "2"/"3" ping/pong): python-socketio's asyncio client needs
    aiohttp 3.10+ for WebSockets (Rasa pins 3.9), and long-polling cannot
    be used against several Rasa workers behind one port.
    """

    def __init__(self) -> None:
        self.ws: Any = None
        self.events: asyncio.Queue = asyncio.Queue()
        self._reader: Optional[asyncio.Task] = None

    async def connect(self, url: str, origin: str) -> None:
        import websockets

        ws_url = url.replace("http://", "ws://", 1) + "/socket.io/?EIO=4&transport=websocket"
        try:
            # websockets exposes connect lazily (module __getattr__), which mypy cannot see.
            self.ws = await asyncio.wait_for(websockets.connect(ws_url, origin=origin), 10)  # type: ignore[attr-defined]
        except (websockets.exceptions.InvalidHandshake, OSError) as exc:
            raise ConnectionRefusedError(f"refused: {exc}") from exc
        opened = await asyncio.wait_for(self.ws.recv(), 10)
        assert opened.startswith("0"), opened
        await self.ws.send("40")
        connected = await asyncio.wait_for(self.ws.recv(), 10)
        if not connected.startswith("40"):
            raise ConnectionRefusedError(f"refused: {connected}")
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for frame in self.ws:
            if frame == "2":
                await self.ws.send("3")
            elif frame.startswith("42"):
                name, *data = json.loads(frame[2:])
                await self.events.put((name, data[0] if data else None))

    async def emit(self, name: str, data: Any) -> None:
        await self.ws.send("42" + json.dumps([name, data]))

    async def session(self, **request: Any) -> str:
        await self.emit("session_request", request)
        name, data = await asyncio.wait_for(self.events.get(), 10)
        assert name == "session_confirm", data
        return data["session_id"]

    async def replies_within(self, seconds: float, until: str = "") -> list[Any]:
        """Every event within ``seconds``, or up to the first bot text containing ``until``."""
        found = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                found.append(await asyncio.wait_for(self.events.get(), left))
            except asyncio.TimeoutError:
                break
            if until and until in str((found[-1][1] or {}).get("text")):
                break
        return found

    async def close(self) -> None:
        if self._reader:
            self._reader.cancel()
        if self.ws is not None:
            await self.ws.close()


def signal_tree(pid: int, sig: int) -> None:
    """``sig`` to the Rasa server and its worker processes (they serve the port, not the parent)."""
    import psutil

    for child in psutil.Process(pid).children(recursive=True):
        child.send_signal(sig)
    os.kill(pid, sig)


def in_own_loop(coroutine: Any) -> Any:
    """Run ``coroutine`` on an event loop of its own thread: Playwright's sync API holds this thread's loop."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
