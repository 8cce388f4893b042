"""The web widget in a real browser (Debian's chromium driven by Playwright)
against the real servers: the page from ``bot.runtime.web``, the action server and
the Rasa server with the trained model, each started with ``bot.runtime.run``'s
commands on free ports.

The tests run in file order, cheapest first: the page and its help panel are
checked while Rasa is still loading its model (the page must not need it),
the conversation once Rasa answers, and the outage last, after stopping Rasa.
Screenshots go to tests/screenshots/.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import re
import secrets
import signal
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

pytestmark = pytest.mark.e2e


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


# --- the page alone: served and complete while Rasa is still loading ------------------


def test_need_help_now_shows_the_crisis_lines_without_typing(stack: Stack, page_at) -> None:
    from playwright.sync_api import expect

    page = page_at(stack.page_url, width=375)
    help_button = page.get_by_role("button", name="Need help now?")
    expect(help_button).to_be_visible()
    # Keyboard only: reach the button, open the panel with Enter, close it with Escape.
    help_button.focus()
    page.keyboard.press("Enter")
    panel = page.locator("#tc-help")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("988 Suicide & Crisis Lifeline")
    expect(panel).to_contain_text("911")
    expect(panel.locator('a[href="tel:988"]')).to_have_count(1)
    expect(panel.locator('a[href="sms:988"]')).to_have_count(1)
    expect(panel.locator('a[href="tel:911"]')).to_have_count(1)
    assert page.evaluate("document.activeElement.id") == "tc-help-heading"
    shot(page, "help-375px")
    # Everything fits a 375 px phone screen.
    box = page.locator(".tc-widget").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert page.evaluate("document.activeElement.textContent") == "Need help now?"
    assert page.errors == []


def test_the_page_carries_the_visitors_region_lines(stack: Stack, page_at) -> None:
    from playwright.sync_api import expect

    page = page_at(stack.page_url, locale="en-GB")
    page.get_by_role("button", name="Need help now?").click()
    panel = page.locator("#tc-help")
    expect(panel).to_contain_text("Samaritans")
    expect(panel.locator('a[href="tel:999"]')).to_have_count(1)
    assert "988" not in panel.inner_text()


def test_accessible_structure(stack: Stack, page_at) -> None:
    page = page_at(stack.page_url)
    log = page.locator(".tc-log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
    assert page.get_by_label("Your message").count() == 1
    assert page.locator(".tc-widget").get_attribute("aria-label")
    # Tab order: the input, then Send.
    page.locator("#tc-input").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Send"
    # The focused control is visibly outlined.
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")


# The test's own way to hand the widget a server message: keep the socket the widget opens.
KEEP_SOCKET = """
(() => {
  let real;
  Object.defineProperty(window, "io", {
    configurable: true,
    get() { return real; },
    set(io) { real = function () { const s = io.apply(this, arguments); window.__chatSocket = s; return s; }; },
  });
})();
"""


def test_bot_text_is_shown_as_text_never_run_as_html(stack: Stack, page_at) -> None:
    page = page_at(stack.page_url, init_script=KEEP_SOCKET)
    hostile = (
        'Hi <img src=x onerror="window.__pwned = 1"> <script>window.__pwned = 2</script> '
        "[click me](javascript:window.__pwned=3) [call](tel:988) **kind** https://example.org/x sms:741741"
    )
    # Page scripts cannot speak as the bot: the widget's public object takes no messages.
    assert page.evaluate("typeof window.TherapyChat.receive") == "undefined"
    page.wait_for_function("window.__chatSocket", timeout=WAIT_MS)
    # As if the server sent it: through the widget's own bot_uttered handler on its socket.
    page.evaluate("text => window.__chatSocket.listeners('bot_uttered')[0]({text: text})", hostile)
    bubble = bot_bubbles(page).last
    assert '<img src=x onerror="window.__pwned = 1">' in bubble.inner_text()
    assert "<script>" in bubble.inner_text()
    assert bubble.locator("img, script").count() == 0
    assert page.evaluate("window.__pwned") is None
    hrefs = bubble.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["tel:988", "https://example.org/x", "sms:741741"]
    assert "click me" in bubble.inner_text()  # the words of an unsafe link stay, the link does not
    assert bubble.locator("strong").inner_text() == "kind"
    # The renderer on its own: a fragment of elements it built, no HTML parsed.
    tags = page.evaluate(
        "() => Array.from(window.TherapyChat.renderMarkdown('<b>x</b>\\n- one\\n- two').querySelectorAll('*'))"
        ".map(n => n.tagName)"
    )
    assert tags == ["P", "UL", "LI", "LI"]


def fetch(url: str, headers: Optional[dict] = None, method: str = "GET") -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_the_web_server_answers_bad_requests_with_4xx_never_500(web: Stack) -> None:
    base = web.page_url
    status, _, body = fetch(base + "resources?region=%3Cscript%3E", {"Accept-Language": "xx"})
    assert status == 200 and json.loads(body)["region"] == "US"  # nonsense falls back to DEFAULT_REGION
    status, headers, body = fetch(base + "resources?region=ie")
    assert status == 200 and json.loads(body)["region"] == "IE" and headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = fetch(base, {"Host": "evil.example;script-src *"})
    assert status < 500
    if status == 200:  # a Host header that is not a host name never reaches the page's policy
        assert "evil" not in headers["Content-Security-Policy"] and "*" not in headers["Content-Security-Policy"]
    assert fetch(base + "static/../bot/core/settings.py")[0] in (403, 404)
    assert fetch(base + "no-such-page")[0] == 404
    assert fetch(base, method="POST")[0] == 405


def test_page_data_cannot_close_its_script_element() -> None:
    from bot.runtime.web import json_for_html

    encoded = json_for_html({"name": "</script><script>alert(1)</script>", "amp": "&"})
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert json.loads(encoded) == {"name": "</script><script>alert(1)</script>", "amp": "&"}


# --- the conversation ------------------------------------------------------------------


def test_faq_answer_quick_reply_and_reload(ready: Stack, page_at) -> None:
    from playwright.sync_api import expect

    page = page_at(ready.page_url)
    expect(page.locator(".tc-widget")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    ask(page, "what is CBT?")
    expect(bot_bubbles(page).first).to_contain_text("Cognitive behavioral therapy", timeout=WAIT_MS)
    expect(page.locator(".tc-typing")).to_be_hidden()
    replies = page.locator(".tc-replies button")
    expect(replies.first).to_be_visible(timeout=WAIT_MS)
    title = replies.first.inner_text()
    answers_before = bot_bubbles(page).count()
    replies.first.click()
    # The visitor's bubble shows the button's title, not its payload; a new answer follows.
    expect(page.locator(".tc-log .tc-user").last).to_have_text(f"You: {title}")
    expect(bot_bubbles(page)).not_to_have_count(answers_before, timeout=WAIT_MS)
    assert "/" not in page.locator(".tc-log .tc-user").last.inner_text()
    shot(page, "faq-and-quick-reply")
    session = page.evaluate("sessionStorage.getItem('therapy-chat:session')")
    log_before = page.locator(".tc-log").inner_text()

    page.reload()
    expect(page.locator(".tc-widget")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    assert page.locator(".tc-log").inner_text() == log_before
    assert page.evaluate("sessionStorage.getItem('therapy-chat:session')") == session
    shot(page, "after-reload")
    assert page.errors == []


def test_crisis_message_gets_988_at_once(ready: Stack, page_at) -> None:
    from playwright.sync_api import expect

    page = page_at(ready.page_url)
    expect(page.locator(".tc-widget")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    ask(page, "I want to kill myself")
    log = page.locator(".tc-log")
    expect(log.locator('a[href="tel:988"]').first).to_be_visible(timeout=WAIT_MS)
    expect(log).to_contain_text("911")
    shot(page, "crisis")


def test_the_visitors_locale_reaches_the_bot(ready: Stack, page_at) -> None:
    """navigator.language goes out as message metadata: a visitor in the UK gets UK numbers."""
    from playwright.sync_api import expect

    page = page_at(ready.page_url, locale="en-GB")
    expect(page.locator(".tc-widget")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    ask(page, "I want to end my life")
    log = page.locator(".tc-log")
    expect(log).to_contain_text("Samaritans", timeout=WAIT_MS)
    expect(log.locator('a[href="tel:999"]').first).to_be_visible()
    assert "988" not in log.inner_text()


def test_what_the_visitor_says_beats_the_browser_locale(ready: Stack, page_at) -> None:
    """Locale en-US, "I'm in the UK", then a crisis: the UK's numbers, and the reply says which country they are for."""
    from playwright.sync_api import expect

    page = page_at(ready.page_url, locale="en-US")
    expect(page.locator(".tc-widget")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    ask(page, "I'm in the UK")
    expect(bot_bubbles(page).first).to_contain_text("United Kingdom", timeout=WAIT_MS)
    before = bot_bubbles(page).count()
    ask(page, "I want to kill myself")
    crisis = bot_bubbles(page).nth(before)
    expect(crisis).to_contain_text("Samaritans", timeout=WAIT_MS)
    expect(crisis.locator('a[href="tel:116123"]').first).to_be_visible()
    expect(crisis.locator('a[href="tel:999"]')).to_have_count(1)
    expect(crisis).to_contain_text("Not in the United Kingdom? Tell me where you are.")
    shown = crisis.inner_text()
    assert re.sub(r"^\s*Bot:\s*", "", shown).startswith("Call 116 123"), shown[:80]  # the number first
    assert "988" not in crisis.inner_text() and "911" not in crisis.inner_text()
    shot(page, "crisis-said-uk-with-us-locale")
    assert page.errors == []


def test_an_explicit_region_from_the_embed_config_wins(ready: Stack, page_at) -> None:
    """A site that knows its visitors' country says so; the help panel and the bot follow it."""
    from playwright.sync_api import expect

    from bot.runtime.web import crisis_resources

    irish = crisis_resources("IE", "plain")
    page = page_at(ready.page_url, locale="en-US", init_script="window.TherapyChatConfig = {region: 'ie'};")
    page.get_by_role("button", name="Need help now?").click()
    panel = page.locator("#tc-help")
    expect(panel).to_contain_text(irish["lines"][0].split(" — ")[0])
    expect(panel.locator(f'a[href="tel:{irish["emergency"]}"]')).to_have_count(1)
    assert "988" not in panel.inner_text()
    page.locator("#tc-help .tc-help-close").click()
    expect(page.locator(".tc-widget")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    ask(page, "what is therapy")
    expect(bot_bubbles(page).first).to_be_visible(timeout=WAIT_MS)
    sender = json.loads(page.evaluate("sessionStorage.getItem('therapy-chat:session')")).split(".")[0]
    stored = user_metadata(ready.tracker_db, sender)
    assert len(stored) == 1 and stored[0]["region"] == "IE" and stored[0]["locale"] == "en-US"


def test_an_eap_portal_visitor_gets_the_tenants_theme_and_line(ready: Stack, page_at) -> None:
    from playwright.sync_api import expect

    from bot.tenants.tokens import issue_token

    token = issue_token(TENANT_SLUG, secret=JWT_SECRET)
    page = page_at(ready.page_url, init_script=f"window.TherapyChatConfig = {{tenantToken: {json.dumps(token)}}};")
    expect(page.locator(".tc-widget")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    expect(page.locator(".tc-subtitle")).to_have_text("for Widget Test Co")
    colour = page.evaluate("getComputedStyle(document.querySelector('.tc-widget')).getPropertyValue('--tc-primary')")
    assert colour.strip() == TENANT_COLOUR
    page.get_by_role("button", name="Need help now?").click()
    panel = page.locator("#tc-help")
    expect(panel).to_contain_text("Widget Test Co EAP")
    expect(panel.locator('a[href="tel:+18005550199"]')).to_have_count(1)
    expect(panel).to_contain_text("988")
    shot(page, "eap-portal")
    # The tenant came from the token, server-side, into the stored message's metadata.
    page.locator("#tc-help .tc-help-close").click()
    ask(page, "what is therapy")
    expect(bot_bubbles(page).first).to_be_visible(timeout=WAIT_MS)
    sender = json.loads(page.evaluate("sessionStorage.getItem('therapy-chat:session')")).split(".")[0]
    stored = user_metadata(ready.tracker_db, sender)
    assert len(stored) == 1 and stored[0]["tenant"] == TENANT_SLUG and stored[0]["locale"] == "en-US"


def test_an_expired_tenant_token_is_explained(ready: Stack, page_at) -> None:
    from playwright.sync_api import expect

    from bot.tenants.tokens import issue_token

    token = issue_token(TENANT_SLUG, ttl_seconds=60, secret=JWT_SECRET, now=time.time() - 600)
    page = page_at(ready.page_url, init_script=f"window.TherapyChatConfig = {{tenantToken: {json.dumps(token)}}};")
    notice = page.locator(".tc-log .tc-notice")
    expect(notice.first).to_contain_text("sign-in has expired", timeout=WAIT_MS)
    expect(notice.first).to_contain_text("988")
    expect(page.locator(".tc-widget")).to_be_visible()


def user_metadata(tracker_db: Path, sender: str, timeout: float = 10) -> list[dict]:
    """The metadata of the visitor's stored messages (Rasa saves the turn just after replying)."""
    deadline = time.monotonic() + timeout
    while True:
        with sqlite3.connect(tracker_db) as db:
            rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)).fetchall()
        if rows or time.monotonic() > deadline:
            return [json.loads(data).get("metadata") or {} for (data,) in rows]
        time.sleep(0.2)


# --- the socket.io channel with a plain client -------------------------------------------


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
            self.ws = await asyncio.wait_for(websockets.connect(ws_url, origin=origin), 10)
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


def test_a_disallowed_origin_cannot_connect(ready: Stack) -> None:
    with pytest.raises(ConnectionRefusedError):
        in_own_loop(Client().connect(ready.chat_url, "http://evil.example"))
    request = urllib.request.Request(
        ready.chat_url + "/socket.io/?EIO=4&transport=polling", headers={"Origin": "http://evil.example"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400


def test_a_guessed_session_id_gets_none_of_another_visitors_replies(ready: Stack) -> None:
    async def scenario() -> None:
        victim, attacker = Client(), Client()
        try:
            await victim.connect(ready.chat_url, ready.origin)
            victim_id = await victim.session()
            await attacker.connect(ready.chat_url, ready.origin)
            attacker_id = await attacker.session(session_id=victim_id.split(".")[0] + "." + "0" * 32)
            assert attacker_id.split(".")[0] != victim_id.split(".")[0]
            await victim.emit("user_uttered", {"message": "what is CBT?", "session_id": victim_id})
            got = await victim.replies_within(WAIT_MS / 1000, until="Cognitive behavioral therapy")
            assert "Cognitive behavioral therapy" in str(got[-1][1].get("text"))
            assert await attacker.replies_within(1) == []
        finally:
            await victim.close()
            await attacker.close()

    in_own_loop(scenario())


# --- the outage: last, it stops Rasa ----------------------------------------------------


def test_a_silent_server_is_reported_with_the_crisis_lines(ready: Stack, page_at) -> None:
    """Connected, but no reply comes (Rasa frozen): after the reply timeout the widget says so."""
    from playwright.sync_api import expect

    page = page_at(ready.page_url, init_script="window.TherapyChatConfig = {replyTimeoutSeconds: 3};")
    expect(page.locator(".tc-widget")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    signal_tree(ready.rasa.pid, signal.SIGSTOP)
    try:
        ask(page, "what is CBT?")
        expect(page.locator(".tc-typing")).to_be_visible()
        notice = page.locator(".tc-log .tc-notice").last
        expect(notice).to_contain_text("not answering", timeout=WAIT_MS)
        expect(notice.locator('a[href="tel:988"]')).to_have_count(1)
        expect(page.locator(".tc-typing")).to_be_hidden()
        shot(page, "no-answer")
    finally:
        signal_tree(ready.rasa.pid, signal.SIGCONT)
    # The late answer still arrives and is shown.
    expect(bot_bubbles(page).first).to_contain_text("Cognitive behavioral therapy", timeout=WAIT_MS)



def test_with_rasa_stopped_the_widget_says_so_and_shows_the_crisis_lines(ready: Stack, page_at) -> None:
    from playwright.sync_api import expect

    page = page_at(ready.page_url)
    widget = page.locator(".tc-widget")
    expect(widget).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    signal_tree(ready.rasa.pid, signal.SIGKILL)  # a crash, not a polite stop: every worker too
    ready.rasa.wait()

    notice = page.locator(".tc-log .tc-notice").last
    expect(notice).to_contain_text("cannot be reached", timeout=WAIT_MS)
    expect(notice.locator('a[href="tel:988"]')).to_have_count(1)
    expect(notice).to_contain_text("911")
    expect(widget).to_be_visible()
    expect(widget).to_have_attribute("data-state", "offline")
    # A message now is not lost silently.
    ask(page, "are you there?")
    expect(page.locator(".tc-log .tc-notice").last).to_contain_text("was not sent")
    shot(page, "rasa-down")

    # A new visitor while Rasa is down: the page still loads and the help works.
    fresh = page_at(ready.page_url, width=375)
    expect(fresh.locator(".tc-log .tc-notice").first).to_contain_text("cannot be reached", timeout=WAIT_MS)
    fresh.get_by_role("button", name="Need help now?").click()
    expect(fresh.locator("#tc-help")).to_contain_text("988")
    shot(fresh, "rasa-down-new-visitor")
