"""Slack: signed requests only, clear 4xx answers, replies through SLACK_API_URL.

Configured in credentials.yml as ``bot.channels.slack.SlackInput``; on only
when SLACK_TOKEN and SLACK_SIGNING_SECRET are set. Rasa's stock connector
already checks ``X-Slack-Signature``; here ``slack_sdk``'s ``SignatureVerifier``
does (``bot.channels.verify.slack_signature_ok``). What else differs:

- a missing signature is a 401 and a wrong or stale one a 403 (the stock
  answers 400 to both), and a signed but unreadable body a 400 where the
  stock connector raised (a 500) or answered 500 itself;
- the URL verification challenge is answered the way Slack documents it,
  ``{"challenge": ...}``;
- replies go to SLACK_API_URL, one message per reply (the stock posts one per
  paragraph), with the web's markdown turned into Slack's (``*bold*``,
  ``<url|label>``), without ``as_user`` (refused for today's bot tokens);
- the conversation is stored under a keyed pseudonym of Slack's ids
  (``bot.channels.namespace``), so no other channel's caller can reach it;
- an event already taken (same ``event_id``: Slack's retries, a replayed
  request) is acknowledged and not answered twice (``bot.channels.replay``);
- the message is handled in the background, as in the stock connector,
  because Slack resends anything not acknowledged within three seconds.
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot as StockSlackBot
from rasa.core.channels.slack import SlackInput as StockSlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.limits import limited
from bot.channels.namespace import platform_key
from bot.channels.replay import first_delivery
from bot.channels.sms import split_text
from bot.channels.verify import (
    DisabledChannel,
    configuration_problem,
    form_fields,
    json_error,
    json_object,
    missing_settings,
    refuse_signature,
    slack_signature_ok,
)
from bot.core.versions import require_tested

logger = logging.getLogger(__name__)

REQUIRED = {"slack_token": "SLACK_TOKEN", "slack_signing_secret": "SLACK_SIGNING_SECRET"}
SIGNATURE_HEADER = "X-Slack-Signature"
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
# A section block's text may hold 3,000 characters.
MAX_MESSAGE_CHARS = 3000
REQUEST_TIMEOUT_SECONDS = 10
_MARKDOWN_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
_MARKDOWN_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")


def slack_markdown(text: str) -> str:
    """The web's markdown in Slack's mrkdwn: ``**CBT**`` -> ``*CBT*``, ``[name](url)`` -> ``<url|name>``."""
    text = _MARKDOWN_LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1)}>", text)
    return _MARKDOWN_STRONG.sub(r"*\1*", text)


class SlackBot(StockSlackBot):
    def __init__(
        self, token: str, slack_channel: Optional[str] = None, thread_id: Optional[str] = None,
        proxy: Optional[str] = None, api_url: str = "https://slack.com/api/",
    ) -> None:
        from slack_sdk.web.async_client import AsyncWebClient

        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, base_url=api_url, proxy=proxy, timeout=REQUEST_TIMEOUT_SECONDS)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        recipient = self.slack_channel or recipient_id
        for part in split_text(slack_markdown(text), MAX_MESSAGE_CHARS):
            await self._post_message(channel=recipient, text=part, mrkdwn=True)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        recipient = self.slack_channel or recipient_id
        parts = split_text(slack_markdown(text), MAX_MESSAGE_CHARS) or ["…"]
        for part in parts[:-1]:
            await self._post_message(channel=recipient, text=part, mrkdwn=True)
        elements = [
            {"type": "button", "text": {"type": "plain_text", "text": b["title"][:75]}, "value": b["payload"]}
            for b in buttons[:25]
            if isinstance(b.get("title"), str) and isinstance(b.get("payload"), str)
        ]
        blocks: List[Dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": parts[-1]}}]
        if elements:
            blocks.append({"type": "actions", "elements": elements})
        # ``text`` stays as the notification's and screen readers' version of the blocks.
        await self._post_message(channel=recipient, text=parts[-1], blocks=blocks)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        recipient = self.slack_channel or recipient_id
        await self._post_message(
            channel=recipient, text=image, blocks=[{"type": "image", "image_url": image, "alt_text": "image"}]
        )

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        channel = json_message.pop("channel", None) or self.slack_channel or recipient_id
        json_message.pop("as_user", None)
        await self._post_message(channel=channel, **json_message)


class SlackInput(StockSlackInput):
    @classmethod
    def name(cls) -> str:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        missing = missing_settings(credentials, REQUIRED)
        if missing:
            return DisabledChannel.for_platform(cls.name(), "Slack", missing, configuration_problem(missing, REQUIRED))
        assert credentials is not None
        return cls(
            str(credentials["slack_token"]).strip(),
            slack_channel=str(credentials.get("slack_channel") or "").strip() or None,
            slack_retry_reason_header="x-slack-retry-reason",
            slack_retry_number_header="x-slack-retry-num",
            slack_signing_secret=str(credentials["slack_signing_secret"]).strip(),
            use_threads=str(credentials.get("use_threads") or "").lower() in ("true", "1", "yes"),
            conversation_granularity=str(credentials.get("conversation_granularity") or "sender"),
            api_url=str(credentials.get("api_url") or "https://slack.com/api/").strip(),
        )

    def __init__(self, *args: Any, api_url: str = "https://slack.com/api/", **kwargs: Any) -> None:
        # This class calls seven of Rasa's private SlackInput helpers (_is_user_message,
        # _sanitize_user_message, _get_conversation_id, ...): checked against the tested
        # Rasa only, so another version stops here rather than misread events silently.
        require_tested()
        super().__init__(*args, **kwargs)
        self.api_url = api_url

    def _get_conversation_id(
        self, sender_id: Optional[str], channel_id: Optional[str], thread_id: Optional[str]
    ) -> Optional[str]:
        # Stored under a keyed id of its own (bot.channels.namespace); replies go to the Slack channel.
        found = super()._get_conversation_id(sender_id, channel_id, thread_id)
        return platform_key(self.name(), self.slack_signing_secret, found) if found else found

    def get_output_channel(self, channel: Optional[str] = None, thread_id: Optional[str] = None) -> OutputChannel:
        return SlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url)

    async def _handle_event(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]], event_body: Dict[str, Any]
    ) -> HTTPResponse:
        if event_body.get("type") == "url_verification":
            challenge = event_body.get("challenge")
            if not isinstance(challenge, str):
                return json_error(400, "A url_verification request needs a challenge string.")
            return response.json({"challenge": challenge})
        event = event_body.get("event")
        if event is not None and not isinstance(event, dict):
            return json_error(400, "The event must be a JSON object.")
        if not isinstance(event, dict) or not self._is_user_message(event_body):
            return response.text("")  # the bot's own posts, edits, joins: acknowledged, not answered
        if not all(isinstance(event.get(k), str) for k in ("text", "user", "channel")):
            return json_error(400, "A message event needs text, user and channel strings.")
        metadata = self._event_metadata(event_body, event)
        if not self._is_supported_channel(event_body, metadata):
            return response.text("")
        if not await first_delivery(self.name(), event_body.get("event_id")):
            return response.text("")  # a retry or a replay of an event already taken
        conversation = self._get_conversation_id(event["user"], metadata["out_channel"], metadata["thread_id"])
        text = self._sanitize_user_message(event["text"], metadata["users"])
        return await self.process_message(request, on_new_message, text, conversation, metadata)

    @staticmethod
    def _event_metadata(event_body: Dict[str, Any], event: Dict[str, Any]) -> Dict[str, Any]:
        # The stock get_metadata re-reads request.json and assumes every field is well formed.
        users = event_body.get("authed_users")
        if not isinstance(users, list):
            authorizations = event_body.get("authorizations")
            first = authorizations[0] if isinstance(authorizations, list) and authorizations else {}
            users = [first.get("user_id")] if isinstance(first, dict) and isinstance(first.get("user_id"), str) else []
        return {
            "out_channel": event.get("channel"),
            "thread_id": event.get("thread_ts") or event.get("ts"),
            "users": [u for u in users if isinstance(u, str)],
        }

    async def _handle_interaction(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]], payload: Dict[str, Any]
    ) -> HTTPResponse:
        actions = payload.get("actions")
        user = payload.get("user")
        if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict) or not isinstance(user, dict):
            return json_error(400, "An interaction payload needs actions and a user.")
        if not isinstance(user.get("id"), str) or not self._is_interactive_message(payload):
            return json_error(400, "This kind of interaction is not supported.")
        text = self._get_interactive_response(actions[0])
        if not isinstance(text, str) or not text:
            return response.text("")  # a link button: nothing for the bot to answer
        channel: dict[str, Any] = payload["channel"] if isinstance(payload.get("channel"), dict) else {}
        message: dict[str, Any] = payload["message"] if isinstance(payload.get("message"), dict) else {}
        metadata = {
            # Replies go to the Slack channel: the conversation id is a pseudonym, not an address.
            "out_channel": channel.get("id") or user["id"],
            "thread_id": message.get("thread_ts") or message.get("ts"),
            "users": [user["id"]],
        }
        conversation = self._get_conversation_id(user["id"], metadata["out_channel"], metadata["thread_id"])
        return await self.process_message(request, on_new_message, text, conversation, metadata)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = limited(on_new_message)  # over-long messages: see bot.channels.limits
        slack_webhook = Blueprint("slack_webhook", __name__)

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @slack_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            signature = request.headers.get(SIGNATURE_HEADER)
            timestamp = request.headers.get(TIMESTAMP_HEADER)
            if not slack_signature_ok(self.slack_signing_secret, request.body or b"", timestamp, signature):
                return refuse_signature("Slack", SIGNATURE_HEADER, bool(signature and timestamp))
            content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
            if content_type == "application/json":
                body = json_object(request.body or b"")
                if body is None:
                    return json_error(400, "The body must be a JSON object.")
                return await self._handle_event(request, on_new_message, body)
            if content_type == "application/x-www-form-urlencoded":
                fields = form_fields(request.body or b"") or {}
                payload = json_object((fields.get("payload") or [""])[0].encode())
                if payload is None:
                    return json_error(400, "An interaction must carry a JSON payload field.")
                return await self._handle_interaction(request, on_new_message, payload)
            return json_error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Slack sends JSON or form-encoded bodies.")

        return slack_webhook
