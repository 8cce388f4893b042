"""SMS through Twilio: signed requests only, one composed reply per turn, numbered options.

Configured in credentials.yml as ``bot.channels.twilio.TwilioInput``; on only
when TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_NUMBER and
TWILIO_WEBHOOK_URL are all set. What differs from Rasa's stock connector:

- every request must carry a valid ``X-Twilio-Signature`` for
  TWILIO_WEBHOOK_URL (the public address registered with Twilio); the stock
  connector checks nothing, so anyone could make the bot text any number;
- the turn's replies are collected and sent as few SMS as fit (crisis reply
  first and whole, buttons as "Reply 1 for ..."), see ``bot.channels.sms``;
  a reply of just a number is turned into that option's payload;
- the conversation is stored under a keyed pseudonym of the phone number,
  never the number itself; replies go to the number of the request at hand.
  (So the server API cannot push messages to an SMS conversation later.)
- a resent or replayed request (same ``MessageSid``) is not answered twice
  (``bot.channels.replay``);
- the caller's country (Twilio's ``FromCountry``) is passed on as the
  ``region`` metadata, so a crisis reply gives that country's helplines;
- outbound calls are asynchronous (the stock client blocks the event loop,
  and with it every other conversation) and go to TWILIO_API_URL.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput as StockTwilioInput
from rasa.core.channels.twilio import TwilioOutput as StockTwilioOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.limits import limited
from bot.channels.replay import first_delivery
from bot.channels.sms import SMS_MAX_CHARS, is_option_reply, last_turn_options, pick_option, sms_bodies
from bot.channels.verify import (
    DisabledChannel,
    configuration_problem,
    form_fields,
    hex_digest,
    json_error,
    missing_settings,
    refuse_signature,
    twilio_signature_ok,
)

logger = logging.getLogger(__name__)

REQUIRED = {
    "account_sid": "TWILIO_ACCOUNT_SID",
    "auth_token": "TWILIO_AUTH_TOKEN",
    "twilio_number": "TWILIO_NUMBER",
    "webhook_url": "TWILIO_WEBHOOK_URL",
}
SIGNATURE_HEADER = "X-Twilio-Signature"
SEND_TIMEOUT_SECONDS = 10
# TwiML that tells Twilio "nothing to send from here": the replies go through the REST API.
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
SORRY = (
    "Sorry, something went wrong and your message was not answered. Please try again. "
    "If you are in danger now, call your local emergency number."
)
_COUNTRY = re.compile(r"^[A-Z]{2}$")
# The From number's country calling code, for when Twilio sends no FromCountry.
# +1 is shared by the US, Canada and the Caribbean, so it decides nothing on its own.
CALLING_CODES: dict[str, str] = {"+44": "GB", "+353": "IE", "+61": "AU", "+64": "NZ", "+91": "IN"}


def sender_pseudonym(auth_token: str, phone: str) -> str:
    """The conversation id of a phone number: stable while the auth token is, and not reversible without it."""
    return "sms-" + hex_digest(auth_token, phone.strip(), "twilio-sender")[:32]


class TurnCollector(CollectingOutputChannel):
    """Collects one turn's replies, whole (``utter_action`` included), to compose the SMS at the end."""

    @classmethod
    def name(cls) -> str:
        # bot/conversation/nlg.py shapes replies by this name (plain numbers, no crisis buttons).
        return "twilio"

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        self.messages.append(dict(message))


class TwilioOutput(StockTwilioOutput):
    """Sends SMS bodies through the asynchronous Twilio client, at TWILIO_API_URL."""

    def __init__(self, account_sid: str, auth_token: str, twilio_number: str, api_url: str) -> None:
        from twilio.http.async_http_client import AsyncTwilioHttpClient
        from twilio.rest import Client

        # Twilio's client logs eleven INFO lines per message (URL, headers); only its warnings matter here.
        http_log = logging.getLogger(f"{__name__}.http")
        http_log.setLevel(logging.WARNING)
        # Not the stock __init__: it builds the blocking client.
        Client.__init__(
            self, account_sid, auth_token,
            http_client=AsyncTwilioHttpClient(timeout=SEND_TIMEOUT_SECONDS, max_retries=2, logger=http_log),
        )
        self.twilio_number = twilio_number
        self.api.base_url = api_url.rstrip("/")

    async def send_sms(self, to: str, body: str) -> bool:
        from twilio.base.exceptions import TwilioException

        try:
            await self.messages.create_async(to=to, from_=self.twilio_number, body=body)
            return True
        except TwilioException as exc:
            logger.error("twilio: a message was not sent (%s)", getattr(exc, "status", type(exc).__name__))
        except Exception as exc:  # noqa: BLE001 - network trouble; the other parts may still go out
            logger.error("twilio: a message was not sent (%s)", type(exc).__name__)
        return False

    async def send_turn(self, to: str, messages: List[Dict[str, Any]]) -> int:
        sent = 0
        for body in sms_bodies(messages, SMS_MAX_CHARS):
            sent += await self.send_sms(to, body)
        return sent

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        await self.send_turn(recipient_id, [message])

    async def close(self) -> None:
        await self.http_client.close()


class TwilioInput(StockTwilioInput):
    @classmethod
    def name(cls) -> str:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        missing = missing_settings(credentials, REQUIRED)
        if missing:
            return DisabledChannel.for_platform(cls.name(), "Twilio SMS", missing, configuration_problem(missing, REQUIRED))
        assert credentials is not None
        return cls(
            str(credentials["account_sid"]).strip(),
            str(credentials["auth_token"]).strip(),
            str(credentials["twilio_number"]).strip(),
            webhook_url=str(credentials["webhook_url"]).strip(),
            api_url=str(credentials.get("api_url") or "https://api.twilio.com").strip(),
        )

    def __init__(
        self, account_sid: str, auth_token: str, twilio_number: str, webhook_url: str = "",
        api_url: str = "https://api.twilio.com", debug_mode: bool = False,
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number, debug_mode=debug_mode)
        self.webhook_url = webhook_url
        self.api_url = api_url
        self._output: Optional[TwilioOutput] = None

    def output(self) -> TwilioOutput:
        # Created on first use, inside the server's event loop: its HTTP session belongs to that loop.
        if self._output is None:
            self._output = TwilioOutput(self.account_sid, self.auth_token, self.twilio_number, self.api_url)
        return self._output

    def get_output_channel(self) -> None:
        # Conversations are stored under a pseudonym, not a phone number, so
        # nothing can be sent outside a turn (the server API's output channel).
        return None

    @staticmethod
    def metadata_from(fields: Dict[str, List[str]]) -> Dict[str, Any]:
        """The texter's country: Twilio's FromCountry, else the From number's calling code."""
        country = (fields.get("FromCountry") or [""])[0].strip().upper()
        if _COUNTRY.match(country):
            return {"region": country}
        number = (fields.get("From") or [""])[0].strip()
        code = next((c for c in sorted(CALLING_CODES, key=len, reverse=True) if number.startswith(c)), None)
        return {"region": CALLING_CODES[code]} if code else {}

    async def resolve_reply(self, request: Request, conversation: str, text: str) -> str:
        """``2`` -> the payload of option 2 of the bot's previous turn; anything else unchanged."""
        if not is_option_reply(text):
            return text  # no tracker read for ordinary messages
        try:
            tracker = await request.app.ctx.agent.tracker_store.retrieve(conversation)
        except Exception as exc:  # noqa: BLE001 - the plain text still gets an answer
            logger.error("twilio: could not read the previous options (%s)", type(exc).__name__)
            return text
        if tracker is None:
            return text
        return pick_option(text, last_turn_options(tracker.events)) or text

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = limited(on_new_message)  # over-long messages: see bot.channels.limits
        twilio_webhook = Blueprint("twilio_webhook", __name__)

        @twilio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @twilio_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            signature = request.headers.get(SIGNATURE_HEADER)
            fields = form_fields(request.body or b"")
            if not signature or fields is None or not twilio_signature_ok(
                self.auth_token, self.webhook_url, fields, signature
            ):
                return refuse_signature("Twilio", SIGNATURE_HEADER, bool(signature))
            sender = (fields.get("From") or [""])[0].strip()
            body = fields.get("Body")
            if not sender or body is None:
                return json_error(400, "A Twilio message webhook needs the From and Body fields.")
            if not await first_delivery(self.name(), (fields.get("MessageSid") or [""])[0]):
                return response.text(EMPTY_TWIML, content_type="application/xml")  # a resend: answered already
            text = body[0].replace("¡", "@").strip()  # some carriers turn @ into ¡
            if not text:
                return response.text(EMPTY_TWIML, content_type="application/xml")  # a picture with no words
            conversation = sender_pseudonym(self.auth_token, sender)
            text = await self.resolve_reply(request, conversation, text)
            collector = TurnCollector()
            out = self.output()
            try:
                await on_new_message(
                    UserMessage(text, collector, conversation, input_channel=self.name(), metadata=self.metadata_from(fields))
                )
            except Exception as exc:  # noqa: BLE001 - the texter still hears back
                logger.error("twilio: a message could not be handled (%s)", type(exc).__name__)
                if not collector.messages:
                    await out.send_sms(sender, SORRY)
            if collector.messages:
                await out.send_turn(sender, collector.messages)
            return response.text(EMPTY_TWIML, content_type="application/xml")

        @twilio_webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            if self._output is not None:
                await self._output.close()

        return twilio_webhook
