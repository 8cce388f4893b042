"""Fake messaging platforms and signed webhook payloads for the end-to-end channel tests.

:class:`FakePlatforms` is a local HTTP server that answers like Telegram, Slack,
the Graph API and Twilio and records every call; the helpers build the
platforms' recorded webhook bodies (tests/fixtures/platforms/), signed as each
platform signs them, and the server environment that points every
``*_API_URL`` at the fake.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.core.settings import ROOT
from tests.support.cluster import free_port

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


# --- talking to the server ------------------------------------------------------------


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


