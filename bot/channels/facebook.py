"""Facebook Messenger: signed requests only, every message of a batch, non-blocking replies.

Configured in credentials.yml as ``bot.channels.facebook.FacebookInput``; on
only when FACEBOOK_VERIFY, FACEBOOK_SECRET and FACEBOOK_PAGE_ACCESS_TOKEN are
set. Rasa's stock connector checks ``X-Hub-Signature`` (SHA-1); what differs:

- ``X-Hub-Signature-256`` is checked, and only it: the legacy SHA-1
  ``X-Hub-Signature`` alone is refused (the stock checks SHA-1 and takes the
  algorithm's name from the header, and some names crash it); the comparison
  is constant time; a missing signature is a 401, a wrong one a 403 (the stock answered
  200 "not validated", so Meta never saw a failure);
- a signed but malformed body is a 400, not a 500, and every message of a
  batched delivery is answered (the stock answers only the first);
- a resent message (same ``mid``) is answered once (``bot.channels.replay``);
- the subscription check (GET) answers 403 to a wrong verify token;
- the conversation is stored under a keyed pseudonym of the sender's id
  (``bot.channels.namespace``), so no other channel's caller can reach it;
- replies go to FACEBOOK_API_URL through aiohttp, with the app secret proof
  and a timeout. The stock client (fbmessenger on requests) blocks the event
  loop, and with it every other conversation, for as long as Graph takes;
- buttons become quick replies (up to 13; the stock drops all buttons of a
  message with more than three), texts longer than Messenger's 2,000
  characters are split at paragraph or line boundaries, markdown is removed.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput as StockFacebookInput
from rasa.core.channels.facebook import MessengerBot as StockMessengerBot
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
    hub_signature_ok,
    json_error,
    json_object,
    missing_settings,
    refuse_signature,
    same,
)

logger = logging.getLogger(__name__)

REQUIRED = {"verify": "FACEBOOK_VERIFY", "secret": "FACEBOOK_SECRET", "page-access-token": "FACEBOOK_PAGE_ACCESS_TOKEN"}
GRAPH_API_VERSION = "v21.0"
MAX_MESSAGE_CHARS = 2000
MAX_QUICK_REPLIES = 13
MAX_QUICK_REPLY_TITLE = 20
REQUEST_TIMEOUT_SECONDS = 10


class MalformedDelivery(ValueError):
    """The body is JSON but not a Messenger webhook delivery."""


def messaging_events(payload: Dict[str, Any]) -> List[tuple[str, str]]:
    """``(sender id, text)`` for each message or button press a delivery carries, in order (see :func:`deliveries`)."""
    return [(sender, text) for sender, text, _ in deliveries(payload)]


def deliveries(payload: Dict[str, Any]) -> List[tuple[str, str, Optional[str]]]:
    """``(sender id, text, message id)`` for each message or button press a delivery carries, in order.

    The message id (``mid``) lets a resend be recognised (bot.channels.replay). Echoes of the page's own messages, delivery and read receipts, and
    attachments (which the bot cannot read) are skipped.
    """
    if payload.get("object") != "page" or not isinstance(payload.get("entry"), list):
        raise MalformedDelivery("a page delivery has object 'page' and an entry list")
    found = []
    for entry in payload["entry"]:
        if not isinstance(entry, dict):
            raise MalformedDelivery("each entry must be an object")
        events = entry.get("messaging") or []
        if not isinstance(events, list):
            raise MalformedDelivery("messaging must be a list")
        for event in events:
            sender = event.get("sender") if isinstance(event, dict) else None
            if not isinstance(sender, dict) or not isinstance(sender.get("id"), str):
                raise MalformedDelivery("each messaging event needs sender.id")
            text = _event_text(event)
            if text:
                found.append((sender["id"], text, _event_mid(event)))
    return found


def _event_text(event: Dict[str, Any]) -> Optional[str]:
    message, postback = event.get("message"), event.get("postback")
    if isinstance(message, dict) and not message.get("is_echo"):
        quick = message.get("quick_reply")
        if isinstance(quick, dict) and isinstance(quick.get("payload"), str) and quick["payload"].strip():
            return quick["payload"]
        if isinstance(message.get("text"), str) and message["text"].strip():
            return message["text"]
    if isinstance(postback, dict) and isinstance(postback.get("payload"), str) and postback["payload"].strip():
        return postback["payload"]
    return None


def _event_mid(event: Dict[str, Any]) -> Optional[str]:
    for key in ("message", "postback"):
        part = event.get(key)
        if isinstance(part, dict) and isinstance(part.get("mid"), str) and part["mid"]:
            return part["mid"]
    return None


def quick_replies(buttons: Iterable[Dict[str, Any]]) -> List[Dict[str, str]]:
    replies = []
    for b in buttons:
        if isinstance(b.get("title"), str) and isinstance(b.get("payload"), str):
            title = b["title"] if len(b["title"]) <= MAX_QUICK_REPLY_TITLE else b["title"][: MAX_QUICK_REPLY_TITLE - 1] + "…"
            replies.append({"content_type": "text", "title": title, "payload": b["payload"][:1000]})
    return replies[:MAX_QUICK_REPLIES]


class GraphClient:
    """The Send API at FACEBOOK_API_URL, on one aiohttp session created inside the server's loop."""

    def __init__(self, page_access_token: str, app_secret: str, api_url: str) -> None:
        self.url = f"{api_url.rstrip('/')}/{GRAPH_API_VERSION}/me/messages"
        # appsecret_proof: a leaked page token alone cannot call the API for this app.
        proof = hmac.new(app_secret.encode(), page_access_token.encode(), hashlib.sha256).hexdigest()
        self.params = {"access_token": page_access_token, "appsecret_proof": proof}
        self._session: Any = None

    async def post(self, body: Dict[str, Any]) -> bool:
        import aiohttp

        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS))
        try:
            async with self._session.post(self.url, params=self.params, json=body) as answer:
                if answer.status < 300:
                    return True
                logger.error("facebook: the Send API refused a message (HTTP %s)", answer.status)
        except Exception as exc:  # noqa: BLE001 - network trouble; the conversation goes on
            logger.error("facebook: a message was not sent (%s)", type(exc).__name__)
        return False

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class MessengerBot(StockMessengerBot):
    def __init__(self, graph: GraphClient) -> None:
        # Not the stock __init__: it wants fbmessenger's blocking client.
        self.graph = graph

    async def send_message(self, recipient_id: str, message: Dict[str, Any]) -> None:
        await self.graph.post({"messaging_type": "RESPONSE", "recipient": {"id": recipient_id}, "message": message})

    async def send_action(self, recipient_id: str, sender_action: str) -> None:
        await self.graph.post({"recipient": {"id": recipient_id}, "sender_action": sender_action})

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in split_text(plain_text(text), MAX_MESSAGE_CHARS):
            await self.send_message(recipient_id, {"text": part})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        parts = split_text(plain_text(text), MAX_MESSAGE_CHARS) or ["…"]
        for part in parts[:-1]:
            await self.send_message(recipient_id, {"text": part})
        replies = quick_replies(buttons)
        await self.send_message(recipient_id, {"text": parts[-1], **({"quick_replies": replies} if replies else {})})

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_message(recipient_id, {"attachment": {"type": "image", "payload": {"url": image}}})

    async def send_elements(self, recipient_id: str, elements: Iterable[Dict[str, Any]], **kwargs: Any) -> None:
        elements = list(elements)
        for element in elements:
            self._add_postback_info(element.get("buttons") or [])
        payload = {"template_type": "generic", "elements": elements}
        await self.send_message(recipient_id, {"attachment": {"type": "template", "payload": payload}})

    async def send_custom_json(self, recipient_id: str, json_message: Any, **kwargs: Any) -> None:
        if isinstance(json_message, dict):
            await self.send_message(recipient_id, json_message)


class FacebookInput(StockFacebookInput):
    @classmethod
    def name(cls) -> str:
        return "facebook"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        missing = missing_settings(credentials, REQUIRED)
        if missing:
            return DisabledChannel.for_platform(cls.name(), "Facebook Messenger", missing, configuration_problem(missing, REQUIRED))
        assert credentials is not None
        return cls(
            str(credentials["verify"]).strip(),
            str(credentials["secret"]).strip(),
            str(credentials["page-access-token"]).strip(),
            api_url=str(credentials.get("api_url") or "https://graph.facebook.com").strip(),
        )

    def __init__(self, fb_verify: str, fb_secret: str, fb_access_token: str, api_url: str = "https://graph.facebook.com") -> None:
        super().__init__(fb_verify, fb_secret, fb_access_token)
        self.api_url = api_url
        self._graph: Optional[GraphClient] = None

    def graph(self) -> GraphClient:
        if self._graph is None:
            self._graph = GraphClient(self.fb_access_token, self.fb_secret, self.api_url)
        return self._graph

    def get_output_channel(self) -> OutputChannel:
        return MessengerBot(self.graph())

    async def handle(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], sender: str, text: str) -> None:
        out = MessengerBot(self.graph())
        await out.send_action(sender, "typing_on")
        try:
            # Stored under a keyed id of its own (bot.channels.namespace); replies go to the sender.
            conversation = platform_key(self.name(), self.fb_secret, sender)
            await on_new_message(
                UserMessage(text, BoundOutput(out, sender), conversation, input_channel=self.name(), metadata=None)
            )
        except Exception as exc:  # noqa: BLE001 - the batch's other messages still get answers
            logger.error("facebook: a message could not be handled (%s)", type(exc).__name__)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = limited(on_new_message)  # over-long messages: see bot.channels.limits
        fb_webhook = Blueprint("fb_webhook", __name__)

        @fb_webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            if self._graph is not None:
                await self._graph.close()

        @fb_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @fb_webhook.route("/webhook", methods=["GET"])
        async def token_verification(request: Request) -> HTTPResponse:
            challenge = request.args.get("hub.challenge")
            if request.args.get("hub.mode") == "subscribe" and same(self.fb_verify, request.args.get("hub.verify_token")) and challenge:
                return response.text(challenge)
            return json_error(403, "The verify token does not match this server's FACEBOOK_VERIFY.")

        @fb_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            sha256 = request.headers.get("X-Hub-Signature-256")
            sha1 = request.headers.get("X-Hub-Signature")
            if not hub_signature_ok(self.fb_secret, request.body or b"", sha256, sha1):
                return refuse_signature("Facebook", "X-Hub-Signature-256", bool(sha256 or sha1))
            payload = json_object(request.body or b"")
            if payload is None:
                return json_error(400, "The body must be a JSON object.")
            try:
                events = deliveries(payload)
            except MalformedDelivery as exc:
                return json_error(400, f"Not a Messenger delivery: {exc}.")
            for sender, text, mid in events:
                if await first_delivery(self.name(), mid):  # a resent message (same mid) is answered once
                    await self.handle(on_new_message, sender, text)
            return response.text("EVENT_RECEIVED")

        return fb_webhook
