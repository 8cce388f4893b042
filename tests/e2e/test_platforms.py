"""The messaging platforms and the REST channel on a real `rasa run`, end to end.

One Rasa server for the module, started with every platform's variables set
to test values and each ``*_API_URL`` pointing at :class:`FakePlatforms`, a
local HTTP server that answers like Telegram, Slack, the Graph API and
Twilio and records every call. The tests post the platforms' recorded
webhook bodies (tests/fixtures/platforms/), signed as each platform signs
them, and look at what the bot sent back out.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import itertools
import json
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl, urlencode

import pytest

from tests.e2e.conftest import MODEL, ROOT, free_port, terminate

FIXTURES = ROOT / "tests" / "fixtures" / "platforms"
READY_TIMEOUT = 240
PUBLIC = "https://bot.example.org"

TELEGRAM_TOKEN = "7000000001:AAH-test-token_abcdefghijklmnopqrstu"
TELEGRAM_SECRET = "tg-secret-Abc123_xyz"
SLACK_SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
FACEBOOK_SECRET = "fb-app-secret-0123456789"
FACEBOOK_VERIFY = "fb-verify-token"
FACEBOOK_TOKEN = "EAAtestpagetoken0123456789"
TWILIO_SID = "AC0123456789abcdef0123456789abcdef"
TWILIO_TOKEN = "0123456789abcdef0123456789abcdef"
TWILIO_NUMBER = "+15005550006"
TWILIO_URL = f"{PUBLIC}/webhooks/twilio/webhook"
TENANT_SECRET = "platforms-e2e-tenant-secret-0123456789abcdef"
ERASE_TOKEN = "platforms-e2e-erase-token-0123456789abcdef"


# --- the platforms' side ----------------------------------------------------------


class FakePlatforms:
    """Answers the bot's outbound API calls like the real hosts and records each one."""

    def __init__(self) -> None:
        self.port = free_port()
        self.calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread = threading.Thread(target=self._serve, name="fake-platforms", daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakePlatforms:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fake platform API did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _serve(self) -> None:
        from aiohttp import web

        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(runner.setup())
        self._loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())

    async def _handle(self, request: Any) -> Any:
        from aiohttp import web

        raw = await request.read()
        content_type = request.content_type
        if content_type == "application/json":
            body: Any = json.loads(raw or b"null")
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            body = {k: v for k, v in (await request.post()).items()}
        else:
            body = raw.decode(errors="replace")
        call = {
            "method": request.method,
            "path": request.path,
            "query": dict(request.query),
            "headers": dict(request.headers),
            "body": body,
            "at": time.monotonic(),
        }
        with self._lock:
            self.calls.append(call)
        status, answer = self._answer(request.path, body)
        return web.json_response(answer, status=status)

    @staticmethod
    def _answer(path: str, body: Any) -> tuple[int, Any]:
        now = int(time.time())
        if path.startswith("/telegram/bot"):
            method = path.rsplit("/", 1)[-1]
            if method == "sendMessage":
                chat = int(body.get("chat_id", 0))
                result = {
                    "message_id": now % 100000, "date": now, "text": body.get("text", ""),
                    "chat": {"id": chat, "type": "private", "first_name": "Sam"},
                    "from": {"id": 7000000001, "is_bot": True, "first_name": "Therapy FAQ", "username": "TherapyFaqBot"},
                }
                return 200, {"ok": True, "result": result}
            if method in ("setWebhook", "answerCallbackQuery"):
                return 200, {"ok": True, "result": True, "description": "Webhook was set" if method == "setWebhook" else ""}
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        if path == "/slack/api/chat.postMessage":
            return 200, {"ok": True, "channel": body.get("channel"), "ts": f"{now}.000100", "message": {"text": body.get("text")}}
        if path.startswith("/graph/") and path.endswith("/me/messages"):
            recipient = (body.get("recipient") or {}).get("id")
            if "sender_action" in body:
                return 200, {"recipient_id": recipient}
            return 200, {"recipient_id": recipient, "message_id": f"m_fake{now}"}
        if path == f"/twilio/2010-04-01/Accounts/{TWILIO_SID}/Messages.json":
            sid = "SM" + hashlib.md5(f"{now}{body}".encode()).hexdigest()
            return 201, {
                "sid": sid, "account_sid": TWILIO_SID, "to": body.get("To"), "from": body.get("From"),
                "body": body.get("Body"), "status": "queued", "num_segments": "1", "direction": "outbound-api",
                "api_version": "2010-04-01", "uri": f"/2010-04-01/Accounts/{TWILIO_SID}/Messages/{sid}.json",
            }
        return 404, {"error": "not found"}

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.calls)

    def wait_for(self, match: Callable[[dict[str, Any]], bool], count: int = 1, timeout: float = 30) -> list[dict[str, Any]]:
        """The matching calls once there are ``count`` of them (fails after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.snapshot() if match(c)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                pytest.fail(f"expected {count} matching outbound call(s), saw {len(found)}: {found}")
            time.sleep(0.1)

    def matching(self, match: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        return [c for c in self.snapshot() if match(c)]


# --- the server ----------------------------------------------------------------------


def http(
    port: int, path: str, body: bytes = b"", headers: Optional[dict[str, str]] = None, method: str = "POST", timeout: float = 60
) -> tuple[int, bytes]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=body if method == "POST" else None, headers=headers or {}, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def rest(port: int, payload: Any, headers: Optional[dict[str, str]] = None) -> tuple[int, Any]:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    status, body = http(port, "/webhooks/rest/webhook", raw, {"Content-Type": "application/json", **(headers or {})})
    return status, json.loads(body or b"null")


def server_env(fake: FakePlatforms, e2e_dir: Path, seeded_db: str) -> dict[str, str]:
    import os

    from bot.core.settings import DEFAULTS

    env = {name: os.environ.get(name) or default for name, default in DEFAULTS.items()}
    env.update(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT),
        ACTION_SERVER_URL=f"http://127.0.0.1:{free_port()}/webhook",  # no action server: not needed here
        DATABASE_URL=seeded_db,
        TRACKER_STORE_DB=str(e2e_dir / "tracker_platforms.db"),
        DEFAULT_REGION="US",
        TENANT_JWT_SECRET=TENANT_SECRET,
        ERASE_API_TOKEN=ERASE_TOKEN,
        TELEGRAM_ACCESS_TOKEN=TELEGRAM_TOKEN, TELEGRAM_VERIFY="TherapyFaqBot",
        TELEGRAM_WEBHOOK_URL=f"{PUBLIC}/webhooks/telegram/webhook", TELEGRAM_SECRET_TOKEN=TELEGRAM_SECRET,
        TELEGRAM_API_URL=f"{fake.base}/telegram",
        SLACK_TOKEN="xoxb-0000000000-0000000000000-testtokentesttoken", SLACK_SIGNING_SECRET=SLACK_SIGNING_SECRET,
        SLACK_API_URL=f"{fake.base}/slack/api/",
        FACEBOOK_VERIFY=FACEBOOK_VERIFY, FACEBOOK_SECRET=FACEBOOK_SECRET, FACEBOOK_PAGE_ACCESS_TOKEN=FACEBOOK_TOKEN,
        FACEBOOK_API_URL=f"{fake.base}/graph",
        TWILIO_ACCOUNT_SID=TWILIO_SID, TWILIO_AUTH_TOKEN=TWILIO_TOKEN, TWILIO_NUMBER=TWILIO_NUMBER,
        TWILIO_WEBHOOK_URL=TWILIO_URL, TWILIO_API_URL=f"{fake.base}/twilio",
    )
    return env


@pytest.fixture(scope="module")
def fake() -> FakePlatforms:
    platforms = FakePlatforms().start()
    yield platforms
    platforms.stop()


@pytest.fixture(scope="module")
def tenant(seeded_db: str) -> str:
    """An EAP organisation in the server's database, for the REST token tests."""
    from bot.storage.session import session_factory
    from bot.tenants.model import make_tenant
    from bot.tenants.repository import TenantRepository

    slug = "platforms-e2e"
    with session_factory(seeded_db).begin() as s:
        TenantRepository(s).save(make_tenant(slug, "Platform Test Co", "+1 800 555 0199", eap_hours="24/7"))
    return slug


@pytest.fixture(scope="module")
def server(fake: FakePlatforms, tenant: str, e2e_dir: Path, seeded_db: str) -> int:
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


# --- recorded payloads, signed like the platforms sign them --------------------------------


def fixture(name: str) -> Any:
    path = FIXTURES / name
    return json.loads(path.read_text()) if path.suffix == ".json" else path.read_text()


_DELIVERIES = itertools.count(int(time.time() * 1000) % 10**9)


def delivery_id() -> int:
    """A fresh platform message id: every delivery here is new (resends are tested in tests/e2e/test_adversarial.py)."""
    return next(_DELIVERIES)


def telegram_update(text: str, chat_id: int) -> dict[str, Any]:
    update = copy.deepcopy(fixture("telegram_message.json"))
    update["update_id"] = delivery_id()
    update["message"]["text"] = text
    update["message"]["chat"]["id"] = update["message"]["from"]["id"] = chat_id
    return update


def post_telegram(port: int, update: Any, secret: Optional[str] = TELEGRAM_SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    raw = update if isinstance(update, bytes) else json.dumps(update).encode()
    return http(port, "/webhooks/telegram/webhook", raw, headers)[0]


def slack_headers(body: bytes, content_type: str, secret: str = SLACK_SIGNING_SECRET, at: Optional[int] = None) -> dict[str, str]:
    timestamp = str(int(time.time()) if at is None else at)
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}


def slack_event(text: str, user: str, channel: str) -> bytes:
    event = copy.deepcopy(fixture("slack_message_im.json"))
    event["event_id"] = f"Ev{delivery_id()}"
    event["event"].update(text=text, user=user, channel=channel)
    event["event"]["blocks"][0]["elements"][0]["elements"][0]["text"] = text
    return json.dumps(event).encode()


def facebook_headers(body: bytes, secret: str = FACEBOOK_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"}


def facebook_message(text: str, sender: str) -> bytes:
    delivery = copy.deepcopy(fixture("facebook_message.json"))
    event = delivery["entry"][0]["messaging"][0]
    event["sender"]["id"] = sender
    event["message"]["text"] = text
    event["message"]["mid"] = f"m_{delivery_id()}"
    return json.dumps(delivery).encode()


def twilio_form(text: str, sender: str, **fields: str) -> list[tuple[str, str]]:
    pairs = parse_qsl(fixture("twilio_sms.form"), keep_blank_values=True)
    sid = f"SM{delivery_id():032x}"
    values = {"Body": text, "From": sender, "MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid, **fields}
    return [(k, values.get(k, v)) for k, v in pairs]


def post_twilio(port: int, pairs: list[tuple[str, str]], signature: Optional[str] = "sign") -> int:
    from bot.channels.verify import twilio_signature

    params: dict[str, list[str]] = {}
    for k, v in pairs:
        params.setdefault(k, []).append(v)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature == "sign":
        headers["X-Twilio-Signature"] = twilio_signature(TWILIO_TOKEN, TWILIO_URL, params)
    elif signature is not None:
        headers["X-Twilio-Signature"] = signature
    return http(port, "/webhooks/twilio/webhook", urlencode(pairs).encode(), headers)[0]


def telegram_sent(chat_id: int) -> Callable[[dict[str, Any]], bool]:
    return lambda c: c["path"].endswith("/sendMessage") and c["body"].get("chat_id") == str(chat_id)


def slack_sent(channel: str) -> Callable[[dict[str, Any]], bool]:
    return lambda c: c["path"] == "/slack/api/chat.postMessage" and c["body"].get("channel") == channel


def facebook_sent(sender: str) -> Callable[[dict[str, Any]], bool]:
    return lambda c: (
        c["path"].endswith("/me/messages") and "message" in c["body"] and c["body"]["recipient"]["id"] == sender
    )


def sms_to(number: str) -> Callable[[dict[str, Any]], bool]:
    return lambda c: c["path"].endswith("/Messages.json") and c["body"].get("To") == number


# --- Telegram ------------------------------------------------------------------------------


def test_telegram_webhook_is_registered_with_the_secret_token(server: int, fake: FakePlatforms) -> None:
    # Each Rasa worker process registers it as it starts (Telegram keeps the last; all are the same).
    calls = fake.wait_for(lambda c: c["path"] == f"/telegram/bot{TELEGRAM_TOKEN}/setWebhook", timeout=20)
    for call in calls:
        assert call["body"]["url"] == f"{PUBLIC}/webhooks/telegram/webhook"
        assert call["body"]["secret_token"] == TELEGRAM_SECRET
        assert json.loads(call["body"]["allowed_updates"]) == ["message", "edited_message", "callback_query"]


def test_telegram_question_is_answered_through_send_message(server: int, fake: FakePlatforms) -> None:
    chat = 5012340001
    assert post_telegram(server, telegram_update("what is cbt?", chat)) == 200
    [sent] = fake.wait_for(telegram_sent(chat))
    assert "Cognitive behavioral therapy" in sent["body"]["text"]
    assert "**" not in sent["body"]["text"]
    keyboard = json.loads(sent["body"]["reply_markup"])["inline_keyboard"]
    assert [row[0]["callback_data"] for row in keyboard] == ["/faq/dbt", "/faq/homework", "/faq/therapy_types_overview"]


def test_telegram_button_press_is_answered_and_acknowledged(server: int, fake: FakePlatforms) -> None:
    chat = 5012340002
    update = copy.deepcopy(fixture("telegram_callback_query.json"))
    update["update_id"] = delivery_id()
    update["callback_query"]["message"]["chat"]["id"] = chat
    assert post_telegram(server, update) == 200
    [sent] = fake.wait_for(telegram_sent(chat))
    assert "Dialectical behavior therapy" in sent["body"]["text"]
    acks = fake.matching(lambda c: c["path"].endswith("/answerCallbackQuery"))
    assert any(c["body"]["callback_query_id"] == update["callback_query"]["id"] for c in acks)


def test_telegram_crisis_number_comes_first(server: int, fake: FakePlatforms) -> None:
    chat = 5012340003
    assert post_telegram(server, telegram_update("i want to kill myself", chat)) == 200
    first = fake.wait_for(telegram_sent(chat))[0]
    assert "988" in first["body"]["text"] and "911" in first["body"]["text"]
    # Telegram sends no country: the reply says whose numbers these are, and how to change them.
    assert "Not in the United States? Tell me where you are." in first["body"]["text"]


def test_telegram_refuses_forged_and_missing_secret_and_sends_nothing(server: int, fake: FakePlatforms) -> None:
    chat = 5012340004
    assert post_telegram(server, telegram_update("what is cbt?", chat), secret="guessed") == 403
    assert post_telegram(server, telegram_update("what is cbt?", chat), secret=None) == 401
    time.sleep(1)
    assert fake.matching(telegram_sent(chat)) == []


def test_telegram_malformed_bodies_are_400_and_unreadable_updates_200(server: int, fake: FakePlatforms) -> None:
    assert post_telegram(server, b"{not json") == 400
    assert post_telegram(server, [1, 2, 3]) == 400
    assert post_telegram(server, {"update_id": 1, "message": {"text": "hi"}}) == 400  # no chat
    sticker = fixture("telegram_sticker.json")
    sticker["message"]["chat"]["id"] = 5012340005
    assert post_telegram(server, sticker) == 200
    time.sleep(1)
    assert fake.matching(telegram_sent(5012340005)) == []


# --- Slack ----------------------------------------------------------------------------------


def test_slack_url_verification_echoes_the_challenge(server: int) -> None:
    body = json.dumps(fixture("slack_url_verification.json")).encode()
    status, answer = http(server, "/webhooks/slack/webhook", body, slack_headers(body, "application/json"))
    assert status == 200
    assert json.loads(answer) == {"challenge": fixture("slack_url_verification.json")["challenge"]}


def test_slack_direct_message_is_answered_with_chat_post_message(server: int, fake: FakePlatforms) -> None:
    body = slack_event("what is cbt?", "U0SLACK001", "D0SLACK001")
    status, _ = http(server, "/webhooks/slack/webhook", body, slack_headers(body, "application/json"))
    assert status == 200
    [sent] = fake.wait_for(slack_sent("D0SLACK001"))
    assert "Cognitive behavioral therapy" in sent["body"]["text"]
    assert sent["headers"]["Authorization"].startswith("Bearer xoxb-")
    buttons = sent["body"]["blocks"][1]["elements"]
    assert [b["value"] for b in buttons] == ["/faq/dbt", "/faq/homework", "/faq/therapy_types_overview"]


def test_slack_button_press_is_answered(server: int, fake: FakePlatforms) -> None:
    payload = copy.deepcopy(fixture("slack_block_actions.json"))
    payload["user"]["id"] = "U0SLACK002"
    payload["channel"]["id"] = "D0SLACK002"
    payload["actions"][0].update(value="/faq/dbt", text={"type": "plain_text", "text": "DBT", "emoji": True})
    body = urlencode({"payload": json.dumps(payload)}).encode()
    status, _ = http(server, "/webhooks/slack/webhook", body, slack_headers(body, "application/x-www-form-urlencoded"))
    assert status == 200
    [sent] = fake.wait_for(slack_sent("D0SLACK002"))
    assert "Dialectical behavior therapy" in sent["body"]["text"]


def test_slack_crisis_number_comes_first(server: int, fake: FakePlatforms) -> None:
    body = slack_event("i want to kill myself", "U0SLACK003", "D0SLACK003")
    assert http(server, "/webhooks/slack/webhook", body, slack_headers(body, "application/json"))[0] == 200
    first = fake.wait_for(slack_sent("D0SLACK003"))[0]
    assert "988" in first["body"]["text"]


def test_slack_refuses_forged_stale_and_unsigned_requests(server: int, fake: FakePlatforms) -> None:
    body = slack_event("what is cbt?", "U0SLACK004", "D0SLACK004")
    forged = slack_headers(body, "application/json", secret="not-the-signing-secret")
    stale = slack_headers(body, "application/json", at=int(time.time()) - 3600)
    assert http(server, "/webhooks/slack/webhook", body, forged)[0] == 403
    assert http(server, "/webhooks/slack/webhook", body, stale)[0] == 403
    assert http(server, "/webhooks/slack/webhook", body, {"Content-Type": "application/json"})[0] == 401
    time.sleep(1)
    assert fake.matching(slack_sent("D0SLACK004")) == []


def test_slack_signed_but_malformed_bodies_are_400(server: int) -> None:
    for body, content_type in (
        (b"{not json", "application/json"),
        (b'{"type": "event_callback", "event": "nope"}', "application/json"),
        (b"payload=%7Bbroken", "application/x-www-form-urlencoded"),
        (urlencode({"payload": json.dumps({"type": "block_actions"})}).encode(), "application/x-www-form-urlencoded"),
    ):
        assert http(server, "/webhooks/slack/webhook", body, slack_headers(body, content_type))[0] == 400, body


# --- Facebook Messenger ------------------------------------------------------------------------


def test_facebook_subscription_check(server: int) -> None:
    ok = f"/webhooks/facebook/webhook?hub.mode=subscribe&hub.verify_token={FACEBOOK_VERIFY}&hub.challenge=1158201444"
    assert http(server, ok, method="GET") == (200, b"1158201444")
    wrong = "/webhooks/facebook/webhook?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444"
    assert http(server, wrong, method="GET")[0] == 403


def test_facebook_message_is_answered_through_the_send_api(server: int, fake: FakePlatforms) -> None:
    sender = "6512345678900001"
    body = facebook_message("what is cbt?", sender)
    assert http(server, "/webhooks/facebook/webhook", body, facebook_headers(body)) == (200, b"EVENT_RECEIVED")
    [sent] = fake.wait_for(facebook_sent(sender))
    assert sent["path"] == "/graph/v21.0/me/messages"
    assert sent["query"]["access_token"] == FACEBOOK_TOKEN
    expected_proof = hmac.new(FACEBOOK_SECRET.encode(), FACEBOOK_TOKEN.encode(), hashlib.sha256).hexdigest()
    assert sent["query"]["appsecret_proof"] == expected_proof
    message = sent["body"]["message"]
    assert "Cognitive behavioral therapy" in message["text"]
    assert [q["payload"] for q in message["quick_replies"]] == ["/faq/dbt", "/faq/homework", "/faq/therapy_types_overview"]


def test_facebook_quick_reply_is_answered(server: int, fake: FakePlatforms) -> None:
    sender = "6512345678900002"
    delivery = copy.deepcopy(fixture("facebook_quick_reply.json"))
    event = delivery["entry"][0]["messaging"][0]
    event["sender"]["id"] = sender
    event["message"].update(text="DBT", quick_reply={"payload": "/faq/dbt"}, mid=f"m_{delivery_id()}")
    body = json.dumps(delivery).encode()
    assert http(server, "/webhooks/facebook/webhook", body, facebook_headers(body))[0] == 200
    [sent] = fake.wait_for(facebook_sent(sender))
    assert "Dialectical behavior therapy" in sent["body"]["message"]["text"]


def test_facebook_crisis_number_comes_first(server: int, fake: FakePlatforms) -> None:
    sender = "6512345678900003"
    body = facebook_message("i want to kill myself", sender)
    assert http(server, "/webhooks/facebook/webhook", body, facebook_headers(body))[0] == 200
    first = fake.wait_for(facebook_sent(sender))[0]
    assert "988" in first["body"]["message"]["text"]


def test_facebook_refuses_forged_signatures_and_malformed_bodies(server: int, fake: FakePlatforms) -> None:
    sender = "6512345678900004"
    body = facebook_message("what is cbt?", sender)
    assert http(server, "/webhooks/facebook/webhook", body, facebook_headers(body, secret="guess"))[0] == 403
    sha1_wrong = {"Content-Type": "application/json", "X-Hub-Signature": "sha1=" + "0" * 40}
    assert http(server, "/webhooks/facebook/webhook", body, sha1_wrong)[0] == 403
    weird = {"Content-Type": "application/json", "X-Hub-Signature": "new=abc"}  # crashed the stock check
    assert http(server, "/webhooks/facebook/webhook", body, weird)[0] == 403
    assert http(server, "/webhooks/facebook/webhook", body, {"Content-Type": "application/json"})[0] == 401
    for bad in (b"[]", b"{not json", b'{"object": "page", "entry": [{"messaging": [{"message": {"text": "x"}}]}]}'):
        assert http(server, "/webhooks/facebook/webhook", bad, facebook_headers(bad))[0] == 400, bad
    receipt = json.dumps(fixture("facebook_read_receipt.json")).encode()
    assert http(server, "/webhooks/facebook/webhook", receipt, facebook_headers(receipt))[0] == 200
    time.sleep(1)
    assert fake.matching(facebook_sent(sender)) == []


# --- Twilio SMS ---------------------------------------------------------------------------------


def test_sms_answer_has_numbered_options_and_a_number_picks_one(server: int, fake: FakePlatforms) -> None:
    number = "+12125550101"
    assert post_twilio(server, twilio_form("what is dbt?", number)) == 200
    [sms] = fake.wait_for(sms_to(number))
    assert sms["body"]["From"] == TWILIO_NUMBER
    assert sms["headers"]["Authorization"].startswith("Basic ")
    text = sms["body"]["Body"]
    assert text.startswith("Dialectical behavior therapy (DBT)")
    assert text.endswith("\n\nReply 1 for CBT, 2 for ACT or 3 for Individual, couple, group.")
    assert len(text) <= 1600

    assert post_twilio(server, twilio_form("2", number)) == 200
    replies = fake.wait_for(sms_to(number), count=2)
    assert replies[1]["body"]["Body"].startswith("Acceptance and commitment therapy (ACT)")


def test_sms_crisis_reply_comes_first_whole_and_for_the_texters_country(server: int, fake: FakePlatforms) -> None:
    us, gb = "+12125550102", "+447700900103"
    assert post_twilio(server, twilio_form("i want to kill myself", us)) == 200
    first = fake.wait_for(sms_to(us))[0]["body"]["Body"]
    assert "988" in first and "911" in first
    assert "Reply 1" not in first  # no buttons on a crisis SMS
    assert post_twilio(server, twilio_form("i want to kill myself", gb, FromCountry="GB", FromState="", FromCity="")) == 200
    first = fake.wait_for(sms_to(gb))[0]["body"]["Body"]
    assert "116 123" in first and "999" in first
    # No FromCountry: the From number's calling code (+44) decides.
    gb2 = "+447700900105"
    assert post_twilio(server, twilio_form("i want to kill myself", gb2, FromCountry="", FromState="", FromCity="")) == 200
    first = fake.wait_for(sms_to(gb2))[0]["body"]["Body"]
    assert first.startswith("Call 116 123") and "999" in first and "988" not in first


def test_sms_refuses_forged_and_unsigned_requests_and_sends_nothing(server: int, fake: FakePlatforms) -> None:
    number = "+12125550104"
    assert post_twilio(server, twilio_form("what is cbt?", number), signature="bm90IGEgc2lnbmF0dXJl") == 403
    assert post_twilio(server, twilio_form("what is cbt?", number), signature=None) == 401
    # Signed for another number, then changed: the signature covers every field.
    from bot.channels.verify import twilio_signature

    signed = twilio_signature(TWILIO_TOKEN, TWILIO_URL, {k: [v] for k, v in twilio_form("hi", "+12125550199")})
    assert post_twilio(server, twilio_form("what is cbt?", number), signature=signed) == 403
    time.sleep(1)
    assert fake.matching(sms_to(number)) == []


def test_sms_signed_but_malformed_request_is_400(server: int) -> None:
    pairs = [(k, v) for k, v in twilio_form("hello", "+12125550105") if k != "From"]
    assert post_twilio(server, pairs) == 400


# --- REST ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        {"message": "what is cbt?"},
        {"sender": "", "message": "what is cbt?"},
        {"sender": "   ", "message": "what is cbt?"},
        {"sender": 12345, "message": "what is cbt?"},
        {"sender": "rest-e2e-1"},
        {"sender": "rest-e2e-1", "message": ["what", "is", "cbt"]},
        {"sender": "rest-e2e-1", "message": "hi", "metadata": "GB"},
        b"sender=me&message=hi",
        b"",
        [{"sender": "rest-e2e-1", "message": "hi"}],
    ],
)
def test_rest_refuses_messages_it_cannot_attribute_or_read(server: int, payload: Any) -> None:
    status, answer = rest(server, payload)
    assert status == 400
    assert isinstance(answer["error"], str) and answer["error"]


def test_rest_answers_and_keeps_region_metadata(server: int) -> None:
    status, messages = rest(server, {"sender": "rest-e2e-2", "message": "i want to kill myself", "metadata": {"region": "GB"}})
    assert status == 200
    text = "\n".join(m.get("text") or "" for m in messages)
    assert "116 123" in text  # the GB helplines, from metadata


def test_rest_with_a_bad_tenant_token_is_401(server: int) -> None:
    for header in ("Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer "):
        status, answer = rest(server, {"sender": "rest-e2e-3", "message": "hi"}, {"Authorization": header})
        assert status == 401 and answer["error"], header


def test_rest_tenant_comes_only_from_a_verified_token(server: int, tenant: str) -> None:
    from bot.tenants.tokens import issue_token

    question = "how much does therapy cost?"
    claimed = {"sender": "rest-e2e-4", "message": question, "metadata": {"tenant": tenant}}
    status, messages = rest(server, claimed)
    assert status == 200 and messages
    assert "Platform Test Co" not in json.dumps(messages)  # a client cannot pick a tenant

    token = issue_token(tenant, ttl_seconds=300, secret=TENANT_SECRET)
    status, messages = rest(server, {"sender": "rest-e2e-5", "message": question}, {"Authorization": f"Bearer {token}"})
    assert status == 200
    assert "Platform Test Co" in json.dumps(messages)

    expired = issue_token(tenant, ttl_seconds=60, secret=TENANT_SECRET, now=time.time() - 3600)
    status, answer = rest(server, {"sender": "rest-e2e-6", "message": question}, {"Authorization": f"Bearer {expired}"})
    assert status == 401 and "expired" in answer["error"]


# --- bad input, long messages and erasure over the REST channel ------------------------------


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"\xff\xfe\x00garbage", "application/json"),
        (b'{"sender": "x", "message": "hi"', "application/json"),  # truncated JSON
        (b'{"sender": "x", "message": "hi"}', "text/plain"),
        (b"<xml>hi</xml>", "application/xml"),
        (b'{"sender": "x", "message": "hi", "metadata": {"tenant": {"$ne": null}}}', "application/json"),
        (json.dumps({"sender": "x" * 300, "message": "hi"}).encode(), "application/json"),
    ],
)
def test_rest_malformed_requests_get_a_4xx_or_an_answer_never_a_500(server: int, body: bytes, content_type: str) -> None:
    status, answer = http(server, "/webhooks/rest/webhook", body, {"Content-Type": content_type})
    assert status < 500, answer[:300]


def test_rest_unicode_emoji_and_control_characters_are_answered(server: int) -> None:
    for text in ("🙂🙂🙂 what is cbt? 🧠", "what\x00is\x07cbt\u200b?", "\u202ewhat is dbt\u202c", "ｗｈａｔ ｉｓ ｃｂｔ", "\n\n\t"):
        status, messages = rest(server, {"sender": "rest-e2e-fuzz", "message": text})
        assert status == 200 and isinstance(messages, list), text


def test_rest_an_over_long_message_gets_a_friendly_reply(server: int) -> None:
    status, messages = rest(server, {"sender": "rest-e2e-long", "message": "tell me about therapy. " * 4500})  # ~100 KB
    assert status == 200 and "shorter message" in messages[0]["text"]


def test_rest_an_over_long_message_with_a_crisis_gets_the_crisis_reply(server: int) -> None:
    story = "It has been a long and heavy year at work. " * 100 + "I want to kill myself. " + "Sorry for the long text. " * 40
    status, messages = rest(server, {"sender": "rest-e2e-long-crisis", "message": story})
    assert status == 200 and "988" in "\n".join(m.get("text") or "" for m in messages)


def test_rest_a_body_far_beyond_any_message_is_413(server: int) -> None:
    status, _ = http(server, "/webhooks/rest/webhook", json.dumps({"sender": "x", "message": "a" * 400_000}).encode(),
                     {"Content-Type": "application/json"})
    assert status == 413


def test_rest_erase_deletes_the_stored_conversation(server: int, e2e_dir: Path) -> None:
    import sqlite3

    sender = f"rest-e2e-erase-{free_port()}"
    assert rest(server, {"sender": sender, "message": "what is cbt?"})[0] == 200
    db = e2e_dir / "tracker_platforms.db"

    def stored() -> int:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]

    assert stored() > 0
    auth = {"Authorization": f"Bearer {ERASE_TOKEN}"}
    status, body = http(server, f"/webhooks/rest/conversations/{sender}", method="DELETE", headers=auth)
    assert status == 204 and body == b""  # no counts: the same answer as for an id never seen
    assert stored() == 0
    assert http(server, "/webhooks/rest/conversations/%20", method="DELETE", headers=auth)[0] == 400


def test_rest_random_bodies_never_cause_a_server_error(server: int) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["sender", "message", "metadata", "x"]), inner, max_size=4),
        max_leaves=10,
    )

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(values)
    def check(payload: Any) -> None:
        status, _ = http(server, "/webhooks/rest/webhook", json.dumps(payload).encode(), {"Content-Type": "application/json"})
        assert status in (200, 400, 401, 413, 429), (status, payload)

    check()


def test_telegram_an_over_long_message_is_answered_kindly_and_a_long_crisis_is_not_missed(server: int, fake: FakePlatforms) -> None:
    chat = 5012340099
    assert post_telegram(server, telegram_update("tell me about therapy please. " * 130, chat)) == 200  # ~3,900 chars
    [sent] = fake.wait_for(telegram_sent(chat))
    assert "shorter message" in sent["body"]["text"]
    chat = 5012340098
    story = "Work has been a lot lately and I barely sleep. " * 60 + "I want to kill myself."
    assert post_telegram(server, telegram_update(story, chat)) == 200
    first = fake.wait_for(telegram_sent(chat))[0]
    assert "988" in first["body"]["text"]
