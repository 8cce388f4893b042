"""The socket.io channel over a real socket.io connection, served by Sanic (a small echo stands where
Rasa's agent would be): sessions, origins, tenant tokens and friendly errors."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any, Optional

import pytest
import socketio

from bot.channels.socketio import (
    MAX_MESSAGE_CHARS,
    SecureSocketIOInput,
    verify_session_id,
)
from bot.core import wiring
from tests.unit.conftest import PAGE, PORTAL, SECRET


class Echo:
    """Stands where Rasa's agent is: answers each message through the channel's output, and keeps it."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.fail = False

    async def __call__(self, message: Any) -> None:
        self.messages.append(message)
        if self.fail:
            raise RuntimeError("the agent broke")
        await message.output_channel.send_text_message(message.sender_id, f"echo: {message.text}")


@pytest.fixture()
async def server(tenant_db: str, monkeypatch: pytest.MonkeyPatch):
    """The channel on a Sanic server on a free port; yields (url, echo)."""
    from sanic import Sanic


    monkeypatch.setenv("ALLOWED_ORIGINS", PAGE)
    monkeypatch.setenv("SESSION_SECRET", SECRET)
    wiring.reload_settings()
    # Sanic 21.12 rewrites its own methods once per process unless in test mode.
    monkeypatch.setattr(Sanic, "test_mode", True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = Sanic(f"socket_channel_test_{port}")
    echo = Echo()
    io_channel = SecureSocketIOInput.from_credentials(
        {"user_message_evt": "user_uttered", "bot_message_evt": "bot_uttered", "session_persistence": True}
    )
    app.blueprint(io_channel.blueprint(echo), url_prefix="/webhooks/socketio")
    srv = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await srv.startup()
    try:
        yield f"http://127.0.0.1:{port}", echo
    finally:
        srv.close()
        await srv.wait_closed()
        wiring.reload_settings()


class Visitor:
    """A python-socketio client that records every event it receives."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        for name in ("session_confirm", "session_error", "bot_uttered", "message_error"):
            self.client.on(name, self._recorder(name))

    def _recorder(self, name: str) -> Any:
        async def record(data: Any = None) -> None:
            await self.events.put((name, data))

        return record

    async def connect(self, url: str, origin: Optional[str] = PAGE, auth: Optional[dict] = None) -> None:
        headers = {"Origin": origin} if origin else {}
        # Long-polling: python-engineio's asyncio WebSocket client needs aiohttp 3.10+, Rasa pins 3.9.
        await self.client.connect(url, headers=headers, auth=auth, transports=["polling"], wait_timeout=5)

    async def next(self, timeout: float = 3.0) -> tuple[str, Any]:
        return await asyncio.wait_for(self.events.get(), timeout)

    async def nothing_within(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self.events.get(), seconds)
        except asyncio.TimeoutError:
            return True
        return False

    async def session(self, **request: Any) -> dict:
        await self.client.emit("session_request", request)
        name, data = await self.next()
        assert name == "session_confirm", (name, data)
        return data

    async def say(self, text: str, **extra: Any) -> None:
        await self.client.emit("user_uttered", {"message": text, **extra})

    async def close(self) -> None:
        # Engine.IO's close packet without waiting out the server's open long-poll (up to 45 s);
        # that request ends when the test server stops.
        await self.client.eio.disconnect(abort=True)


@pytest.fixture()
async def visitors():
    made: list[Visitor] = []

    def make() -> Visitor:
        made.append(Visitor())
        return made[-1]

    yield make
    for v in made:
        await v.close()


async def test_a_new_visitor_gets_a_signed_session_and_replies(server, visitors) -> None:
    url, echo = server
    v = visitors()
    await v.connect(url)
    confirm = await v.session()
    assert verify_session_id(confirm["session_id"], SECRET) and confirm["resumed"] is False and confirm["tenant"] is None
    await v.say("hello", metadata={"locale": "en-GB"})
    assert await v.next() == ("bot_uttered", {"text": "echo: hello"})
    assert echo.messages[0].sender_id == confirm["session_id"].split(".")[0]
    assert echo.messages[0].metadata == {"locale": "en-GB"}
    assert echo.messages[0].input_channel == "socketio"


async def test_a_signed_session_is_resumed_after_a_reload(server, visitors) -> None:
    url, _ = server
    first = visitors()
    await first.connect(url)
    session_id = (await first.session())["session_id"]
    await first.close()
    again = visitors()
    await again.connect(url)
    confirm = await again.session(session_id=session_id)
    assert confirm["session_id"] == session_id and confirm["resumed"] is True


async def test_a_guessed_session_id_does_not_receive_another_visitors_replies(server, visitors) -> None:
    url, echo = server
    victim, attacker = visitors(), visitors()
    await victim.connect(url)
    victim_id = (await victim.session())["session_id"]
    victim_conversation = victim_id.split(".")[0]
    await attacker.connect(url)
    for forged in (victim_conversation, f"{victim_conversation}.{'0' * 32}"):
        confirm = await attacker.session(session_id=forged)
        assert confirm["resumed"] is False and confirm["session_id"].split(".")[0] != victim_conversation
    await victim.say("my private question")
    assert (await victim.next())[0] == "bot_uttered"
    assert await attacker.nothing_within(1.0)
    # Naming the victim's session in the message itself changes nothing either.
    await attacker.say("whose conversation is this", session_id=victim_id)
    assert (await attacker.next())[0] == "bot_uttered"
    assert echo.messages[-1].sender_id != victim_conversation
    assert await victim.nothing_within(0.5)


async def engineio_connect(url: str, origin: Optional[str]) -> tuple[int, str]:
    """The Socket.IO handshake over long-polling, by hand: (HTTP status, the server's answer to CONNECT)."""
    import aiohttp

    headers = {"Origin": origin} if origin else {}
    endpoint = f"{url}/socket.io/?EIO=4&transport=polling"
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.get(endpoint) as r:
            if r.status != 200:
                return r.status, await r.text()
            sid = json.loads((await r.text())[1:])["sid"]
        async with http.post(f"{endpoint}&sid={sid}", data="40") as r:
            assert r.status == 200
        async with http.get(f"{endpoint}&sid={sid}") as r:
            return r.status, await r.text()


async def test_a_disallowed_origin_is_refused(server, visitors) -> None:
    url, _ = server
    with pytest.raises(socketio.exceptions.ConnectionError):
        await visitors().connect(url, origin="http://evil.example")
    status, body = await engineio_connect(url, "http://evil.example")
    assert status == 400 and "not an accepted origin" in body


async def test_a_connection_without_an_origin_is_refused(server) -> None:
    url, _ = server
    status, body = await engineio_connect(url, None)
    assert status == 200 and body.startswith("44") and "not allowed to use the chat" in body  # 44: CONNECT_ERROR
    status, body = await engineio_connect(url, PAGE)
    assert status == 200 and body.startswith("40")  # 40: CONNECT accepted


async def test_a_tenant_portal_origin_is_allowed(server, visitors) -> None:
    url, _ = server
    v = visitors()
    await v.connect(url, origin=PORTAL)
    assert (await v.session())["tenant"] is None  # allowed to chat; no token, no tenant


async def test_a_message_before_the_session_is_refused_with_a_reason(server, visitors) -> None:
    url, echo = server
    v = visitors()
    await v.connect(url)
    await v.say("hello")
    name, data = await v.next()
    assert name == "message_error" and data["code"] == "no_session" and data["message"]
    assert echo.messages == []


@pytest.mark.parametrize(
    "payload, code",
    [({"message": ""}, "bad_message"), ({"message": 5}, "bad_message"), ("just a string", "bad_message"),
     ({"message": "x" * (MAX_MESSAGE_CHARS + 1)}, "too_long")],
)
async def test_bad_messages_get_a_friendly_error(server, visitors, payload: Any, code: str) -> None:
    url, echo = server
    v = visitors()
    await v.connect(url)
    await v.session()
    await v.client.emit("user_uttered", payload)
    name, data = await v.next()
    assert (name, data["code"]) == ("message_error", code) and data["message"]
    assert echo.messages == []


async def test_a_failing_agent_is_reported_to_the_visitor(server, visitors) -> None:
    url, echo = server
    echo.fail = True
    v = visitors()
    await v.connect(url)
    await v.session()
    await v.say("hello")
    name, data = await v.next()
    assert name == "message_error" and data["code"] == "server_error" and "Need help now?" in data["message"]


async def test_a_valid_tenant_token_binds_the_tenant(server, visitors) -> None:
    from bot.tenants.tokens import issue_token

    url, echo = server
    v = visitors()
    await v.connect(url, origin=PORTAL)
    confirm = await v.session(tenant_token=issue_token("acme"))
    tenant = confirm["tenant"]
    assert tenant["display_name"] == "Acme Wellbeing" and tenant["eap_phone"] == "+1 800 555 0100"
    assert tenant["primary_colour"] == "#7a1f5c" and "allowed_origins" not in tenant
    await v.say("hello", metadata={"tenant": "someone-else", "region": "US"})
    await v.next()
    assert echo.messages[-1].metadata == {"region": "US", "tenant": "acme"}


async def test_a_tenant_record_fixes_the_region_and_a_client_flag_never_does(server, tenant_db, visitors) -> None:
    from bot.storage.session import session_factory
    from bot.tenants import directory
    from bot.tenants.model import make_tenant
    from bot.tenants.repository import TenantRepository
    from bot.tenants.tokens import issue_token

    with session_factory(tenant_db).begin() as session:
        TenantRepository(session).save(make_tenant(
            "acme-ie", "Acme Ireland", "+353 1 555 0100", allowed_origins=[PORTAL], region="IE", region_fixed=True
        ))
    directory.clear_cache()
    url, echo = server
    forged, fixed = visitors(), visitors()
    await forged.connect(url)
    await forged.session()
    await forged.say("hello", metadata={"region": "US", "region_fixed": True})
    await forged.next()
    assert echo.messages[-1].metadata == {"region": "US"}
    await fixed.connect(url, origin=PORTAL)
    assert (await fixed.session(tenant_token=issue_token("acme-ie")))["tenant"]["fixed_region"] == "IE"
    await fixed.say("hello", metadata={"region": "US", "locale": "en-US"})
    await fixed.next()
    assert echo.messages[-1].metadata == {"region": "IE", "locale": "en-US", "tenant": "acme-ie", "region_fixed": True}


async def test_a_tenant_token_in_the_connect_auth_works_too(server, visitors) -> None:
    from bot.tenants.tokens import issue_token

    url, echo = server
    v = visitors()
    await v.connect(url, origin=PORTAL, auth={"tenant_token": issue_token("acme")})
    assert (await v.session())["tenant"]["slug"] == "acme"
    await v.say("hi")
    await v.next()
    assert echo.messages[-1].metadata == {"tenant": "acme"}


async def test_a_tenant_token_works_only_from_its_organisations_sites(server, visitors) -> None:
    from bot.tenants.tokens import issue_token

    url, echo = server
    elsewhere = visitors()
    await elsewhere.connect(url)  # an allowed origin, but not Acme's portal
    await elsewhere.client.emit("session_request", {"tenant_token": issue_token("acme")})
    name, data = await elsewhere.next()
    assert (name, data["code"]) == ("session_error", "wrong_origin")
    bound = visitors()
    await bound.connect(url, origin=PORTAL)
    await bound.client.emit("session_request", {"tenant_token": issue_token("acme", origin="https://other.example")})
    assert (await bound.next())[1]["code"] == "wrong_origin"
    assert echo.messages == []


@pytest.mark.parametrize(
    "make_token, code",
    [
        (lambda issue: issue("acme", ttl_seconds=-120), "expired"),
        (lambda issue: issue("acme", secret="z" * 40), "invalid"),
        (lambda issue: issue("nobody"), "unknown_tenant"),
        (lambda issue: "not-a-token", "invalid"),
    ],
)
async def test_a_bad_tenant_token_gets_an_error_and_no_session(server, visitors, make_token: Any, code: str) -> None:
    from bot.tenants.tokens import issue_token

    url, echo = server
    v = visitors()
    await v.connect(url)
    await v.client.emit("session_request", {"tenant_token": make_token(issue_token)})
    name, data = await v.next()
    assert (name, data["code"]) == ("session_error", code) and data["message"]
    await v.say("hello")
    assert (await v.next())[1]["code"] == "no_session"  # no anonymous chat slipped through
    assert echo.messages == []
