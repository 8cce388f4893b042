"""Telegram: only updates that carry the webhook's secret token, replies through TELEGRAM_API_URL.

Configured in credentials.yml as ``bot.channels.telegram.TelegramInput``; on
only when TELEGRAM_ACCESS_TOKEN, TELEGRAM_WEBHOOK_URL and
TELEGRAM_SECRET_TOKEN are set. What differs from Rasa's stock connector:

- the webhook is registered (setWebhook) once the server is up, with
  ``secret_token``; Telegram then sends it back in
  ``X-Telegram-Bot-Api-Secret-Token`` and any request without it is refused.
  The stock connector instead asks Telegram who the bot is (getMe) on every
  update, which proves nothing about the caller. aiogram 2.15 predates
  ``secret_token``, so setWebhook is called through its generic ``request``;
- registering happens in the background: a Telegram outage at start-up is a
  warning, not a server that fails to start (the stock connector calls
  Telegram while the server is being built, and stops on an error);
- there is no public ``/set_webhook`` route for strangers to trigger;
- the conversation is stored under a keyed pseudonym of the chat id
  (``bot.channels.namespace``), so no other channel's caller can reach it;
- an update already taken (same ``update_id``) is not answered twice
  (``bot.channels.replay``);
- a malformed update gets a 400 instead of a 500, and an update the bot
  cannot read (a sticker, a photo) a 200 so Telegram does not resend it;
- ``/start`` greets, ``@botname`` mentions are removed (TELEGRAM_VERIFY is
  the bot's username), buttons are answered (answerCallbackQuery) so the
  phone stops its spinner, and a reply longer than Telegram's 4,096
  characters is split at paragraph or line boundaries instead of failing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput as StockTelegramInput
from rasa.core.channels.telegram import TelegramOutput as StockTelegramOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.limits import limited
from bot.channels.namespace import BoundOutput, platform_key
from bot.channels.replay import first_delivery
from bot.channels.sms import plain_text, split_text
from bot.channels.verify import (
    DisabledChannel,
    configuration_problem,
    json_error,
    json_object,
    missing_settings,
    refuse_signature,
    telegram_secret_ok,
)

logger = logging.getLogger(__name__)

REQUIRED = {
    "access_token": "TELEGRAM_ACCESS_TOKEN",
    "webhook_url": "TELEGRAM_WEBHOOK_URL",
    "secret_token": "TELEGRAM_SECRET_TOKEN",
}
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_MESSAGE_CHARS = 4096
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
REQUEST_TIMEOUT_SECONDS = 10
# Telegram's rule for secret_token: 1-256 characters, A-Z a-z 0-9 _ -.
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_BOT_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
# What Telegram's own commands mean here.
COMMANDS = {"/start": "/greet", "/help": "/help"}


class MalformedUpdate(ValueError):
    """The body is JSON but not a Telegram update."""


def read_update(update: Dict[str, Any]) -> Optional[tuple[str, str, Optional[str]]]:
    """``(chat id, text, callback query id)`` of an update, None when it has nothing to answer.

    Raises MalformedUpdate when the fields Telegram always sends are missing
    or of the wrong type (aiogram's own ``Update`` accepts anything).
    """
    if not isinstance(update.get("update_id"), int):
        raise MalformedUpdate("update_id must be an integer")
    callback = update.get("callback_query")
    if callback is not None:
        if not isinstance(callback, dict) or not isinstance(callback.get("id"), str):
            raise MalformedUpdate("callback_query must be an object with an id")
        chat = _chat_id(callback.get("message"))
        data = callback.get("data")
        return (chat, data, callback["id"]) if chat and isinstance(data, str) and data.strip() else None
    for key in ("message", "edited_message"):
        message = update.get(key)
        if message is None:
            continue
        chat = _chat_id(message)
        if chat is None:
            raise MalformedUpdate(f"{key} must be an object with chat.id")
        text = message.get("text")
        if isinstance(text, str) and text.strip():
            return chat, text, None
        location = message.get("location")
        if isinstance(location, dict) and all(isinstance(location.get(k), (int, float)) for k in ("longitude", "latitude")):
            return chat, json.dumps({"lng": location["longitude"], "lat": location["latitude"]}), None
        return None
    return None


def _chat_id(message: Any) -> Optional[str]:
    if not isinstance(message, dict) or not isinstance(message.get("chat"), dict):
        return None
    chat_id = message["chat"].get("id")
    return str(chat_id) if isinstance(chat_id, int) and not isinstance(chat_id, bool) else None


def clean_text(text: str, username: str = "") -> str:
    """Drop ``@botname`` mentions and map Telegram's commands to this bot's intents."""
    if username:
        text = re.sub(rf"@{re.escape(username.lstrip('@'))}\b", "", text, flags=re.IGNORECASE)
    text = text.strip()
    return COMMANDS.get(text.lower(), text)


class TelegramOutput(StockTelegramOutput):
    """Rasa's Telegram output with the API address configurable and Telegram's size limit respected."""

    def __init__(self, access_token: str, api_url: str) -> None:
        from aiogram import Bot
        from aiogram.bot.api import TelegramAPIServer

        # Not the stock __init__: it always talks to api.telegram.org.
        Bot.__init__(self, access_token, server=TelegramAPIServer.from_base(api_url), timeout=REQUEST_TIMEOUT_SECONDS)
        # aiogram logs every request's data at DEBUG: the webhook's secret_token, chat ids and message text.
        logging.getLogger("aiogram").setLevel(logging.INFO)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        # One message per reply (the stock sends one per paragraph), split only when too long.
        for part in split_text(plain_text(text), MAX_MESSAGE_CHARS):
            await self.send_message(recipient_id, part)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], button_type: Optional[str] = "vertical",
        **kwargs: Any,
    ) -> None:
        # Topic titles are too long to sit side by side on a phone: one button per row.
        parts = split_text(plain_text(text), MAX_MESSAGE_CHARS) or [""]
        for part in parts[:-1]:
            await self.send_message(recipient_id, part)
        await super().send_text_with_buttons(recipient_id, parts[-1], buttons, button_type=button_type or "vertical")

    async def close_session(self) -> None:
        # Not aiogram's Bot.close(): deprecated, and in aiogram 3 the Bot API's "close" (log the bot out).
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def register_webhook(self, url: str, secret_token: str) -> bool:
        result = await self.request(
            "setWebhook",
            {"url": url, "secret_token": secret_token, "allowed_updates": json.dumps(ALLOWED_UPDATES)},
        )
        return bool(result)


class TelegramInput(StockTelegramInput):
    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        creds = {k: str(v or "").strip() for k, v in (credentials or {}).items()}
        missing = missing_settings(creds, REQUIRED)
        problem = configuration_problem(missing, REQUIRED)
        if not missing and not _BOT_TOKEN.match(creds["access_token"]):
            missing, problem = ["TELEGRAM_ACCESS_TOKEN"], "TELEGRAM_ACCESS_TOKEN must look like 123456:ABC-def (from @BotFather)"
        elif not missing and not _SECRET_TOKEN.match(creds["secret_token"]):
            missing, problem = ["TELEGRAM_SECRET_TOKEN"], "TELEGRAM_SECRET_TOKEN may only use A-Z, a-z, 0-9, _ and - (1-256 characters)"
        if missing:
            return DisabledChannel.for_platform(cls.name(), "Telegram", missing, problem)
        return cls(
            creds["access_token"],
            creds.get("verify") or "",
            creds["webhook_url"],
            secret_token=creds["secret_token"],
            api_url=creds.get("api_url") or "https://api.telegram.org",
        )

    def __init__(
        self, access_token: str, verify: str, webhook_url: str, secret_token: str = "",
        api_url: str = "https://api.telegram.org", debug_mode: bool = False,
    ) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode=debug_mode)
        self.secret_token = secret_token
        self.api_url = api_url
        self._output: Optional[TelegramOutput] = None

    def get_output_channel(self) -> TelegramOutput:
        # One client for the server's life, created on first use (the stock
        # one also calls setWebhook here, at every call).
        if self._output is None:
            self._output = TelegramOutput(self.access_token, self.api_url)
        return self._output

    async def register_webhook(self) -> None:
        try:
            if await self.get_output_channel().register_webhook(self.webhook_url, self.secret_token):
                logger.info("Telegram: webhook registered")
                return
            logger.warning("Telegram: setWebhook was refused; check TELEGRAM_WEBHOOK_URL")
        except Exception as exc:  # noqa: BLE001 - the rest of the bot keeps running
            # The type only: the error's text can hold the request URL, and with it the bot token
            # (https://api.telegram.org/bot<token>/setWebhook), e.g. for a malformed TELEGRAM_API_URL.
            logger.warning("Telegram: could not register the webhook (%s); check TELEGRAM_API_URL", type(exc).__name__)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = limited(on_new_message)  # over-long messages: see bot.channels.limits
        telegram_webhook = Blueprint("telegram_webhook", __name__)
        background: set[asyncio.Task] = set()

        @telegram_webhook.listener("after_server_start")
        async def register(*_: Any) -> None:
            task = asyncio.create_task(self.register_webhook())
            background.add(task)
            task.add_done_callback(background.discard)

        @telegram_webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            if self._output is not None:
                await self._output.close_session()

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            secret = request.headers.get(SECRET_HEADER)
            if not telegram_secret_ok(self.secret_token, secret):
                return refuse_signature("Telegram", SECRET_HEADER, secret is not None)
            update = json_object(request.body or b"")
            if update is None:
                return json_error(400, "The body must be a Telegram update (a JSON object).")
            try:
                found = read_update(update)
            except MalformedUpdate as exc:
                return json_error(400, f"Not a Telegram update: {exc}.")
            if found is None:
                return response.json({"status": "ignored"})  # 200: Telegram must not resend it
            if not await first_delivery(self.name(), update["update_id"]):
                return response.json({"status": "duplicate"})  # a resend: answered already
            chat_id, text, callback_id = found
            out = self.get_output_channel()
            if callback_id:
                try:
                    await out.answer_callback_query(callback_id)
                except Exception as exc:  # noqa: BLE001 - only the spinner is left turning
                    logger.warning("Telegram: answerCallbackQuery failed (%s)", type(exc).__name__)
            try:
                # Stored under a keyed id of its own (bot.channels.namespace); replies go to the chat.
                conversation = platform_key(self.name(), self.secret_token, chat_id)
                await on_new_message(
                    UserMessage(
                        clean_text(text, self.verify), BoundOutput(out, chat_id), conversation,
                        input_channel=self.name(), metadata=None,
                    )
                )
            except Exception as exc:  # noqa: BLE001 - a resend would fail the same way
                logger.error("Telegram: an update could not be handled (%s)", type(exc).__name__)
            return response.json({"status": "ok"})

        return telegram_webhook
