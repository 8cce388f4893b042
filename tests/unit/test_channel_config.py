"""Platforms that are not configured, half configured or down at start: off (404) with one warning, never a crash."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.channels import verify

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "platforms"

# --- platforms that are not configured ----------------------------------------------------------------


PLATFORM_VARIABLES = [
    "TELEGRAM_ACCESS_TOKEN", "TELEGRAM_VERIFY", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_SECRET_TOKEN", "SLACK_TOKEN",
    "SLACK_SIGNING_SECRET", "FACEBOOK_VERIFY", "FACEBOOK_SECRET", "FACEBOOK_PAGE_ACCESS_TOKEN", "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER", "TWILIO_WEBHOOK_URL",
]


def load_channels(monkeypatch: pytest.MonkeyPatch, **values: str) -> list:
    """The channels of credentials.yml, created the way `rasa run` creates them."""
    import rasa.shared.utils.common
    import rasa.shared.utils.io

    from bot.core.settings import DEFAULTS

    for name, default in DEFAULTS.items():
        monkeypatch.setenv(name, values.get(name, "" if name in PLATFORM_VARIABLES else default))
    credentials = rasa.shared.utils.io.read_config_file(str(ROOT / "credentials.yml"))
    return [
        rasa.shared.utils.common.class_from_module_path(path).from_credentials(config)
        for path, config in credentials.items()
        if path.split(".")[-1] in ("TelegramInput", "SlackInput", "FacebookInput", "TwilioInput", "RestInput")
    ]


def test_unset_platforms_are_off_and_answer_404(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import socket

    import aiohttp
    from rasa.core.channels.channel import register
    from sanic import Sanic

    def no_network(*_: object, **__: object) -> None:
        raise AssertionError("a switched-off platform must not call out")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", no_network)
    caplog.set_level("INFO")
    channels = load_channels(monkeypatch)
    assert sorted(c.name() for c in channels) == ["facebook", "rest", "slack", "telegram", "twilio"]
    assert all(isinstance(c, verify.DisabledChannel) for c in channels if c.name() != "rest")
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
    monkeypatch.undo()

    async def handler(_: object) -> None:
        raise AssertionError("a switched-off platform must not reach the bot")

    async def probe() -> dict[str, tuple[int, dict]]:
        Sanic.test_mode = True
        app = Sanic(f"channels_off_{time.monotonic_ns()}")
        register(channels, app, route="/webhooks/")
        app.ctx.agent = None
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
        await server.startup()
        seen = {}
        try:
            async with aiohttp.ClientSession() as session:
                for name in ("telegram", "slack", "facebook", "twilio"):
                    async with session.post(f"http://127.0.0.1:{port}/webhooks/{name}/webhook", data=b"{}") as answer:
                        seen[name] = (answer.status, await answer.json())
                    # The health route of an unconnected platform says so too (it once raised a TypeError: a 500).
                    async with session.get(f"http://127.0.0.1:{port}/webhooks/{name}/") as answer:
                        seen[f"{name} health"] = (answer.status, await answer.json())
                        assert seen[f"{name} health"][1].get("status") == "disabled", name
        finally:
            server.close()
            await server.wait_closed()
        return seen

    for name, (status, body) in asyncio.run(probe()).items():
        assert status == 404, name
        assert "not connected on this server" in body["error"]


def test_half_configured_or_malformed_platforms_are_off_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    channels = load_channels(monkeypatch, TWILIO_ACCOUNT_SID="AC123", TELEGRAM_ACCESS_TOKEN="not a token",
                             TELEGRAM_WEBHOOK_URL="https://x.org/webhooks/telegram/webhook", TELEGRAM_SECRET_TOKEN="abc")
    assert all(isinstance(c, verify.DisabledChannel) for c in channels if c.name() != "rest")
    warnings = " ".join(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert "TWILIO_AUTH_TOKEN, TWILIO_NUMBER, TWILIO_WEBHOOK_URL" in warnings
    assert "TELEGRAM_ACCESS_TOKEN must look like" in warnings
    assert "not a token" not in warnings  # a secret's value is never logged


def test_configured_platforms_are_on_without_calling_out(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_network(*_: object, **__: object) -> None:
        raise AssertionError("creating a channel must not call out; registering happens after start")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", no_network)
    channels = load_channels(
        monkeypatch,
        TELEGRAM_ACCESS_TOKEN="123:abc", TELEGRAM_WEBHOOK_URL="https://x.org/t", TELEGRAM_SECRET_TOKEN="s",
        SLACK_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", FACEBOOK_VERIFY="v", FACEBOOK_SECRET="s",
        FACEBOOK_PAGE_ACCESS_TOKEN="t", TWILIO_ACCOUNT_SID="AC1", TWILIO_AUTH_TOKEN="t", TWILIO_NUMBER="+15005550006",
        TWILIO_WEBHOOK_URL="https://x.org/w",
    )
    assert not any(isinstance(c, verify.DisabledChannel) for c in channels)
    assert {type(c).__module__ for c in channels} == {
        "bot.channels.telegram", "bot.channels.slack", "bot.channels.facebook", "bot.channels.twilio", "bot.channels.rest",
    }
    for channel in channels:
        channel.blueprint(lambda _: None)  # builds routes only


def test_a_telegram_outage_at_start_is_a_warning_not_a_crash(caplog: pytest.LogCaptureFixture) -> None:
    import socket

    from bot.channels.telegram import TelegramInput

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    channel = TelegramInput("123:abc", "", "https://x.org/webhooks/telegram/webhook", secret_token="s", api_url=f"http://127.0.0.1:{port}")

    async def start() -> None:
        try:
            await channel.register_webhook()
        finally:
            await channel.get_output_channel().close_session()

    asyncio.run(start())
    assert any("could not register the webhook" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)
